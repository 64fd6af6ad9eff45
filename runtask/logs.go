package runtask

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// LogsAPI is the part of CloudWatch Logs that following a task's logs needs;
// *cloudwatchlogs.Client satisfies it.
type LogsAPI interface {
	GetLogEvents(ctx context.Context, in *cloudwatchlogs.GetLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetLogEventsOutput, error)
}

// LogStream is where the awslogs driver writes one container's output:
// stream "prefix/container/task-id" in the container's log group.
type LogStream struct {
	TaskARN   string
	Container string
	Group     string
	Stream    string

	next *string // GetLogEvents' forward token; nil before the first read
}

// LogStreams lists the log streams of the task's awslogs-configured
// containers, and says why any other container's logs cannot be followed.
func LogStreams(td *types.TaskDefinition, taskARN string) (streams []*LogStream, unfollowable []string) {
	if td == nil {
		return nil, nil
	}
	for _, c := range td.ContainerDefinitions {
		name := aws.ToString(c.Name)
		lc := c.LogConfiguration
		switch {
		case lc == nil:
			unfollowable = append(unfollowable, fmt.Sprintf("container %s has no log configuration", name))
		case lc.LogDriver != types.LogDriverAwslogs:
			unfollowable = append(unfollowable, fmt.Sprintf("container %s logs with %s, not awslogs", name, lc.LogDriver))
		case lc.Options["awslogs-group"] == "":
			unfollowable = append(unfollowable, fmt.Sprintf("container %s has no awslogs-group", name))
		case lc.Options["awslogs-stream-prefix"] == "":
			// Without a prefix the stream is named after the Docker container
			// id, which the ECS API does not expose.
			unfollowable = append(unfollowable, fmt.Sprintf("container %s has no awslogs-stream-prefix", name))
		default:
			streams = append(streams, &LogStream{
				TaskARN:   taskARN,
				Container: name,
				Group:     lc.Options["awslogs-group"],
				Stream:    lc.Options["awslogs-stream-prefix"] + "/" + name + "/" + TaskID(taskARN),
			})
		}
	}
	return streams, unfollowable
}

// Follower reads new log lines of a set of streams, each in order. It is not
// safe for concurrent use.
type Follower struct {
	API     LogsAPI
	Streams []*LogStream
}

// Poll reads what each stream gained since the last poll and reports every
// line as a LogLine event, stream by stream in order. A stream that does not
// exist yet is skipped silently: the awslogs driver creates it when the
// container starts.
func (f *Follower) Poll(ctx context.Context, report Reporter) error {
	for _, s := range f.Streams {
		if err := f.pollStream(ctx, s, report); err != nil {
			return err
		}
	}
	return nil
}

func (f *Follower) pollStream(ctx context.Context, s *LogStream, report Reporter) error {
	for {
		out, err := f.API.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName:  aws.String(s.Group),
			LogStreamName: aws.String(s.Stream),
			StartFromHead: aws.Bool(true),
			NextToken:     s.next,
		})
		var missing *logtypes.ResourceNotFoundException
		if errors.As(err, &missing) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read logs of container %s (%s %s): %w", s.Container, s.Group, s.Stream, err)
		}
		for _, e := range out.Events {
			report.emit(Event{
				Time:      time.UnixMilli(aws.ToInt64(e.Timestamp)),
				Kind:      LogLine,
				TaskARN:   s.TaskARN,
				Container: s.Container,
				Message:   aws.ToString(e.Message),
			})
		}
		// GetLogEvents returns the token it was given once a stream has no
		// more events; stop there rather than on an empty page, which can
		// also happen in the middle of a stream.
		same := s.next != nil && out.NextForwardToken != nil && *s.next == *out.NextForwardToken
		if out.NextForwardToken != nil {
			s.next = out.NextForwardToken
		}
		if same || out.NextForwardToken == nil || len(out.Events) == 0 {
			return nil
		}
	}
}
