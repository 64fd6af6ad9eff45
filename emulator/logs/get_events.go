package logs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

type getEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
	StartFromHead      *bool  `json:"startFromHead"`
}

type outputEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getEventsOutput struct {
	Events            []outputEvent `json:"events"`
	NextForwardToken  string        `json:"nextForwardToken"`
	NextBackwardToken string        `json:"nextBackwardToken"`
}

// maxEvents is the Logs API's largest page of events.
const maxEvents = 10000

// getLogEvents pages through one stream. Tokens are positions in the
// stream's (time-filtered) events: "f/N" reads forward from N, "b/N" reads
// backward from N. Streams only grow, so a token stays valid, and a forward
// token with nothing new comes back unchanged, as on AWS.
func (s *Service) getLogEvents(rc *emulator.RequestContext, in getEventsInput) (any, error) {
	if in.LogStreamName == "" {
		return nil, invalidParameter("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
	}
	limit, err := pageLimit(in.Limit, maxEvents)
	if err != nil {
		return nil, err
	}
	g, err := s.findGroup(rc.Region, rc.Now, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, streamNotFound()
	}
	events := inTimeRange(st.events, in.StartTime, in.EndTime)

	var from, to int
	switch {
	case in.NextToken != "":
		dir, pos, err := parseStreamToken(in.NextToken, len(events))
		if err != nil {
			return nil, err
		}
		if dir == 'f' {
			from, to = pos, min(pos+limit, len(events))
		} else {
			from, to = max(pos-limit, 0), pos
		}
	case in.StartFromHead != nil && *in.StartFromHead:
		from, to = 0, min(limit, len(events))
	default:
		from, to = max(len(events)-limit, 0), len(events)
	}
	out := getEventsOutput{Events: []outputEvent{}, NextForwardToken: streamToken('f', to), NextBackwardToken: streamToken('b', from)}
	for _, e := range events[from:to] {
		out.Events = append(out.Events, outputEvent{Timestamp: e.timestamp, Message: e.message, IngestionTime: e.timestamp})
	}
	return out, nil
}

func inTimeRange(events []event, start, end *int64) []event {
	if start == nil && end == nil {
		return events
	}
	var out []event
	for _, e := range events {
		if start != nil && e.timestamp < *start {
			continue
		}
		if end != nil && e.timestamp >= *end {
			continue
		}
		out = append(out, e)
	}
	return out
}

// streamToken looks like AWS's tokens: a direction and 56 digits.
func streamToken(dir byte, pos int) string {
	return fmt.Sprintf("%c/%056d", dir, pos)
}

func parseStreamToken(tok string, n int) (byte, int, error) {
	bad := invalidParameter("The specified nextToken is invalid.")
	if len(tok) < 3 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, 0, bad
	}
	pos, err := strconv.Atoi(tok[2:])
	if err != nil || pos < 0 || pos > n || strings.ContainsAny(tok[2:], "+-") {
		return 0, 0, bad
	}
	return tok[0], pos, nil
}

// pageLimit checks a request's limit against the API's range.
func pageLimit(limit *int, most int) (int, error) {
	if limit == nil {
		return most, nil
	}
	if *limit < 1 || *limit > most {
		return 0, invalidParameter("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *limit, most)
	}
	return *limit, nil
}
