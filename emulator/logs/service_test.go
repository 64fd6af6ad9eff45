package logs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fakeSource stands in for the emulator's containers; lines can be added
// while a test runs, as containers print them.
type fakeSource struct {
	mu   sync.Mutex
	logs []emulator.ContainerLog
}

func (f *fakeSource) ContainerLogs(region string) []emulator.ContainerLog {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []emulator.ContainerLog
	for _, cl := range f.logs {
		if cl.Region == region {
			cl.Lines = append([]emulator.LogLine(nil), cl.Lines...)
			out = append(out, cl)
		}
	}
	return out
}

func (f *fakeSource) print(i int, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.logs[i].Lines)
	f.logs[i].Lines = append(f.logs[i].Lines, emulator.LogLine{Time: t0.Add(time.Duration(n) * time.Second), Message: msg})
}

func awslogs(group, prefix string) map[string]string {
	return map[string]string{"awslogs-group": group, "awslogs-stream-prefix": prefix, "awslogs-region": "us-east-1"}
}

func lines(msgs ...string) []emulator.LogLine {
	var out []emulator.LogLine
	for i, m := range msgs {
		out = append(out, emulator.LogLine{Time: t0.Add(time.Duration(i) * time.Second), Message: m})
	}
	return out
}

func newClient(t *testing.T, src Source) *cloudwatchlogs.Client {
	t.Helper()
	em := emulator.New(emulator.Options{Clock: emulator.NewManualClock(t0)})
	t.Cleanup(func() {
		if err := em.Close(); err != nil {
			t.Error(err)
		}
	})
	em.RegisterJSONService(TargetPrefix, New(src))
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return cloudwatchlogs.NewFromConfig(cfg)
}

func sampleSource() *fakeSource {
	return &fakeSource{logs: []emulator.ContainerLog{
		{Region: "us-east-1", TaskID: "task1", Container: "migrate", LogDriver: "awslogs",
			LogOptions: awslogs("/ecs/app", "ecs"), Lines: lines("one", "two", "three", "four", "five")},
		{Region: "us-east-1", TaskID: "task1", Container: "sidecar", LogDriver: "awslogs",
			LogOptions: awslogs("/ecs/app", "ecs"), Lines: lines("side ready", "side error: disk")},
		{Region: "us-east-1", TaskID: "task2", Container: "web", LogDriver: "json-file", Lines: lines("not served")},
		{Region: "us-east-1", TaskID: "task3", Container: "noprefix", LogDriver: "awslogs",
			LogOptions: map[string]string{"awslogs-group": "/ecs/other"}, Lines: lines("not served")},
		{Region: "eu-west-1", TaskID: "task4", Container: "far", LogDriver: "awslogs",
			LogOptions: awslogs("/ecs/eu", "x"), Lines: lines("elsewhere")},
	}}
}

func messages(events []types.OutputLogEvent) string {
	var out []string
	for _, e := range events {
		out = append(out, aws.ToString(e.Message))
	}
	return strings.Join(out, ",")
}

func TestGetLogEventsPagesForwardAndBackward(t *testing.T) {
	src := sampleSource()
	c := newClient(t, src)
	ctx := context.Background()
	in := &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"),
		LogStreamName: aws.String("ecs/migrate/task1"), StartFromHead: aws.Bool(true), Limit: aws.Int32(2)}

	var got []string
	for range 4 {
		out, err := c.GetLogEvents(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Events) > 0 {
			got = append(got, messages(out.Events))
		}
		if in.NextToken != nil && aws.ToString(out.NextForwardToken) == *in.NextToken && len(out.Events) != 0 {
			t.Fatal("a page with events returned the token it was given")
		}
		in.NextToken = out.NextForwardToken
	}
	if strings.Join(got, "|") != "one,two|three,four|five" {
		t.Fatalf("forward pages = %q", got)
	}
	// At the end the same token comes back; a new line then appears.
	out, err := c.GetLogEvents(ctx, in)
	if err != nil || len(out.Events) != 0 || aws.ToString(out.NextForwardToken) != aws.ToString(in.NextToken) {
		t.Fatalf("at the end: %v events, token %q (was %q), err %v", len(out.Events), aws.ToString(out.NextForwardToken), aws.ToString(in.NextToken), err)
	}
	src.print(0, "six")
	out, err = c.GetLogEvents(ctx, in)
	if err != nil || messages(out.Events) != "six" {
		t.Fatalf("after a new line: %q, %v", messages(out.Events), err)
	}

	// Without startFromHead, the newest events come first; backward tokens page back.
	tail, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"),
		LogStreamName: aws.String("ecs/migrate/task1"), Limit: aws.Int32(2)})
	if err != nil || messages(tail.Events) != "five,six" {
		t.Fatalf("tail = %q, %v", messages(tail.Events), err)
	}
	back, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"),
		LogStreamName: aws.String("ecs/migrate/task1"), Limit: aws.Int32(3), NextToken: tail.NextBackwardToken})
	if err != nil || messages(back.Events) != "two,three,four" {
		t.Fatalf("backward page = %q, %v", messages(back.Events), err)
	}
}

func TestGetLogEventsTimeRangeAndIdentifier(t *testing.T) {
	c := newClient(t, sampleSource())
	out, err := c.GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/ecs/app:*"),
		LogStreamName:      aws.String("ecs/migrate/task1"), StartFromHead: aws.Bool(true),
		StartTime: aws.Int64(t0.Add(time.Second).UnixMilli()), EndTime: aws.Int64(t0.Add(3 * time.Second).UnixMilli()),
	})
	if err != nil || messages(out.Events) != "two,three" {
		t.Fatalf("events = %q, %v", messages(out.Events), err)
	}
	if ts := aws.ToInt64(out.Events[0].Timestamp); ts != t0.Add(time.Second).UnixMilli() {
		t.Fatalf("timestamp = %d", ts)
	}
}

func TestErrorsAreTheLogsAPIs(t *testing.T) {
	c := newClient(t, sampleSource())
	ctx := context.Background()
	var notFound *types.ResourceNotFoundException
	_, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"), LogStreamName: aws.String("ecs/migrate/nope")})
	if !errors.As(err, &notFound) || !strings.Contains(err.Error(), "log stream does not exist") {
		t.Fatalf("missing stream: %v", err)
	}
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/nope"), LogStreamName: aws.String("s")})
	if !errors.As(err, &notFound) || !strings.Contains(err.Error(), "log group does not exist") {
		t.Fatalf("missing group: %v", err)
	}
	// Containers without awslogs, without a prefix, or in another region are not served.
	for _, g := range []string{"/ecs/other", "/ecs/eu"} {
		if _, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(g)}); !errors.As(err, &notFound) {
			t.Fatalf("group %s: %v", g, err)
		}
	}
	var invalid *types.InvalidParameterException
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"),
		LogStreamName: aws.String("ecs/migrate/task1"), NextToken: aws.String("garbage")})
	if !errors.As(err, &invalid) {
		t.Fatalf("bad token: %v", err)
	}
	_, err = c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/app"), FilterPattern: aws.String(`{ $.level = "error" }`)})
	if !errors.As(err, &invalid) {
		t.Fatalf("JSON pattern: %v", err)
	}
	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogStreamName: aws.String("s")})
	if !errors.As(err, &invalid) {
		t.Fatalf("no group: %v", err)
	}
	_, err = c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/ecs/app"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Message: aws.String("x"), Timestamp: aws.Int64(1)}}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "UnknownOperationException" {
		t.Fatalf("unsupported operation: %v", err)
	}
}

func TestDescribeGroupsAndStreams(t *testing.T) {
	c := newClient(t, sampleSource())
	ctx := context.Background()
	groups, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].LogGroupName) != "/ecs/app" ||
		!strings.HasSuffix(aws.ToString(groups.LogGroups[0].Arn), ":log-group:/ecs/app:*") {
		t.Fatalf("groups = %+v", groups.LogGroups)
	}
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/ecs/app"), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams.LogStreams) != 1 || aws.ToString(streams.LogStreams[0].LogStreamName) != "ecs/migrate/task1" || streams.NextToken == nil {
		t.Fatalf("first page = %+v", streams)
	}
	if got := aws.ToInt64(streams.LogStreams[0].LastEventTimestamp); got != t0.Add(4*time.Second).UnixMilli() {
		t.Fatalf("lastEventTimestamp = %d", got)
	}
	next, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/ecs/app"), NextToken: streams.NextToken})
	if err != nil || len(next.LogStreams) != 1 || aws.ToString(next.LogStreams[0].LogStreamName) != "ecs/sidecar/task1" || next.NextToken != nil {
		t.Fatalf("second page = %+v, %v", next, err)
	}
	byTime, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/ecs/app"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	if err != nil || aws.ToString(byTime.LogStreams[0].LogStreamName) != "ecs/migrate/task1" {
		t.Fatalf("by last event time = %+v, %v", byTime, err)
	}
}

func TestFilterLogEventsInterleavesAndMatches(t *testing.T) {
	c := newClient(t, sampleSource())
	ctx := context.Background()
	out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/app"), Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range out.Events {
		got = append(got, aws.ToString(e.LogStreamName)+":"+aws.ToString(e.Message))
	}
	want := "ecs/migrate/task1:one ecs/sidecar/task1:side ready ecs/migrate/task1:two"
	if strings.Join(got, " ") != want || out.NextToken == nil {
		t.Fatalf("interleaved = %q (next %v)", got, out.NextToken)
	}
	rest, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/app"), NextToken: out.NextToken})
	if err != nil || len(rest.Events) != 4 || rest.NextToken != nil {
		t.Fatalf("rest = %d events, next %v, %v", len(rest.Events), rest.NextToken, err)
	}

	patterns := map[string]string{
		`error`:            "side error: disk",
		`"side error"`:     "side error: disk",
		`side -error`:      "side ready",
		`?three ?four`:     "three,four",
		`t -two -three`:    "",
		`side "error: d"`:  "side error: disk",
		`?nothing ?ready`:  "side ready",
		`e -side -three o`: "one",
	}
	for p, want := range patterns {
		out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/app"), FilterPattern: aws.String(p)})
		if err != nil {
			t.Fatalf("pattern %q: %v", p, err)
		}
		var msgs []string
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		if strings.Join(msgs, ",") != want {
			t.Errorf("pattern %q matched %q; want %q", p, msgs, want)
		}
	}
	one, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/ecs/app"),
		LogStreamNames: []string{"ecs/sidecar/task1"}})
	if err != nil || len(one.Events) != 2 || aws.ToString(one.Events[0].EventId) == "" {
		t.Fatalf("one stream: %+v, %v", one, err)
	}
}
