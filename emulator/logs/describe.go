package logs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

type describeGroupsInput struct {
	LogGroupNamePrefix string `json:"logGroupNamePrefix"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
}

type logGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
}

type describeGroupsOutput struct {
	LogGroups []logGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

// maxDescribe is the Logs API's largest page of groups or streams.
const maxDescribe = 50

func (s *Service) describeLogGroups(rc *emulator.RequestContext, in describeGroupsInput) (any, error) {
	limit, err := pageLimit(in.Limit, maxDescribe)
	if err != nil {
		return nil, err
	}
	var names []string
	groups := s.index(rc.Region, rc.Now)
	for name := range groups {
		if strings.HasPrefix(name, in.LogGroupNamePrefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	from, to, next, err := page(in.NextToken, limit, len(names))
	if err != nil {
		return nil, err
	}
	out := describeGroupsOutput{LogGroups: []logGroup{}, NextToken: next}
	for _, name := range names[from:to] {
		g := groups[name]
		arn := groupARN(rc.Region, rc.AccountID, name)
		out.LogGroups = append(out.LogGroups, logGroup{LogGroupName: name, CreationTime: g.created,
			Arn: arn + ":*", LogGroupArn: arn, StoredBytes: storedBytes(g), LogGroupClass: "STANDARD"})
	}
	return out, nil
}

type describeStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	NextToken           string `json:"nextToken"`
	Limit               *int   `json:"limit"`
}

type logStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeStreamsOutput struct {
	LogStreams []logStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

func (s *Service) describeLogStreams(rc *emulator.RequestContext, in describeStreamsInput) (any, error) {
	limit, err := pageLimit(in.Limit, maxDescribe)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, invalidParameter("1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	g, err := s.findGroup(rc.Region, rc.Now, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	var streams []*stream
	for _, st := range g.sortedStreams() {
		if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			streams = append(streams, st)
		}
	}
	if in.OrderBy == "LastEventTime" {
		sort.SliceStable(streams, func(i, j int) bool { return lastEvent(streams[i]) < lastEvent(streams[j]) })
	}
	if in.Descending {
		for i, j := 0, len(streams)-1; i < j; i, j = i+1, j-1 {
			streams[i], streams[j] = streams[j], streams[i]
		}
	}
	from, to, next, err := page(in.NextToken, limit, len(streams))
	if err != nil {
		return nil, err
	}
	out := describeStreamsOutput{LogStreams: []logStream{}, NextToken: next}
	for _, st := range streams[from:to] {
		ls := logStream{LogStreamName: st.name, CreationTime: st.created, StoredBytes: 0,
			Arn: fmt.Sprintf("%s:log-stream:%s", groupARN(rc.Region, rc.AccountID, g.name), st.name)}
		if n := len(st.events); n > 0 {
			first, last := st.events[0].timestamp, st.events[n-1].timestamp
			ls.FirstEventTimestamp, ls.LastEventTimestamp, ls.LastIngestionTime = &first, &last, &last
		}
		out.LogStreams = append(out.LogStreams, ls)
	}
	return out, nil
}

func lastEvent(st *stream) int64 {
	if len(st.events) == 0 {
		return st.created
	}
	return st.events[len(st.events)-1].timestamp
}

func storedBytes(g *group) int64 {
	var n int64
	for _, st := range g.streams {
		for _, e := range st.events {
			n += int64(len(e.message))
		}
	}
	return n
}

// page turns a describe call's token (an offset) and limit into a slice
// range and the token of the next page, if any.
func page(token string, limit, n int) (from, to int, next string, err error) {
	if token != "" {
		from, err = strconv.Atoi(token)
		if err != nil || from < 0 || from > n {
			return 0, 0, "", invalidParameter("The specified nextToken is invalid.")
		}
	}
	to = min(from+limit, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}
