package logs

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

type filterEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type filterEventsOutput struct {
	Events    []filteredEvent `json:"events"`
	NextToken string          `json:"nextToken,omitempty"`
}

// filterLogEvents returns the matching events of the chosen streams of a
// group, interleaved in time order (ties by stream name, then position).
func (s *Service) filterLogEvents(rc *emulator.RequestContext, in filterEventsInput) (any, error) {
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, invalidParameter("You cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	limit, err := pageLimit(in.Limit, maxEvents)
	if err != nil {
		return nil, err
	}
	match, err := compilePattern(in.FilterPattern)
	if err != nil {
		return nil, err
	}
	g, err := s.findGroup(rc.Region, rc.Now, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	var chosen []*stream
	if len(in.LogStreamNames) > 0 {
		for _, name := range in.LogStreamNames {
			st := g.streams[name]
			if st == nil {
				return nil, streamNotFound()
			}
			chosen = append(chosen, st)
		}
	} else {
		for _, st := range g.sortedStreams() {
			if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
				chosen = append(chosen, st)
			}
		}
	}

	var all []filteredEvent
	for _, st := range chosen {
		for i, e := range inTimeRange(st.events, in.StartTime, in.EndTime) {
			if !match(e.message) {
				continue
			}
			all = append(all, filteredEvent{LogStreamName: st.name, Timestamp: e.timestamp, Message: e.message,
				IngestionTime: e.timestamp, EventID: eventID(st.name, e.timestamp, i)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Timestamp != all[j].Timestamp {
			return all[i].Timestamp < all[j].Timestamp
		}
		return all[i].LogStreamName < all[j].LogStreamName
	})

	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "F/"))
		if err != nil || !strings.HasPrefix(in.NextToken, "F/") || n < 0 || n > len(all) {
			return nil, invalidParameter("The specified nextToken is invalid.")
		}
		from = n
	}
	to := min(from+limit, len(all))
	out := filterEventsOutput{Events: append([]filteredEvent{}, all[from:to]...)}
	if to < len(all) {
		out.NextToken = fmt.Sprintf("F/%056d", to)
	}
	return out, nil
}

// eventID is stable for a line: its time, its stream and its place there.
func eventID(streamName string, ts int64, i int) string {
	h := fnv.New64a()
	h.Write([]byte(streamName))
	return fmt.Sprintf("%020d%020d%06d", ts, h.Sum64()%1e18, i)
}

// compilePattern supports the term syntax of CloudWatch Logs filter
// patterns: every plain term (or "quoted phrase") must appear, a -term must
// not, and when ?terms are given at least one of them must. Matching is case
// sensitive, as on AWS.
func compilePattern(p string) (func(string) bool, error) {
	p = strings.TrimSpace(p)
	if p == "" {
		return func(string) bool { return true }, nil
	}
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") || strings.HasPrefix(p, "%") {
		return nil, invalidParameter("The local CloudWatch Logs supports only term filter patterns (terms, \"phrases\", -term, ?term), not %q.", p)
	}
	var all, none, oneOf []string
	for _, tok := range patternTokens(p) {
		switch {
		case strings.HasPrefix(tok, "-") && len(tok) > 1:
			none = append(none, unquote(tok[1:]))
		case strings.HasPrefix(tok, "?") && len(tok) > 1:
			oneOf = append(oneOf, unquote(tok[1:]))
		default:
			all = append(all, unquote(tok))
		}
	}
	return func(msg string) bool {
		for _, t := range all {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(msg, t) {
				return false
			}
		}
		if len(oneOf) == 0 {
			return true
		}
		for _, t := range oneOf {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return false
	}, nil
}

// patternTokens splits on spaces outside double quotes, keeping the quotes.
func patternTokens(p string) []string {
	var toks []string
	var cur strings.Builder
	quoted := false
	for _, r := range p {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
