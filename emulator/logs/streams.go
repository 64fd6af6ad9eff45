package logs

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// event is one line in a stream, times in epoch milliseconds as the Logs API has them.
type event struct {
	timestamp int64
	message   string
}

type stream struct {
	name    string
	created int64
	events  []event // in time order
}

type group struct {
	name    string
	created int64
	streams map[string]*stream
}

// sortedStreams returns the group's streams by name.
func (g *group) sortedStreams() []*stream {
	out := make([]*stream, 0, len(g.streams))
	for _, s := range g.streams {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// index files the lines of every awslogs-configured container of the region
// the way the awslogs driver does.
func (s *Service) index(region string, now time.Time) map[string]*group {
	groups := map[string]*group{}
	for _, cl := range s.src.ContainerLogs(region) {
		if cl.LogDriver != "awslogs" {
			continue
		}
		groupName, prefix := cl.LogOptions["awslogs-group"], cl.LogOptions["awslogs-stream-prefix"]
		if groupName == "" || prefix == "" {
			continue
		}
		created := now.UnixMilli()
		if len(cl.Lines) > 0 {
			created = cl.Lines[0].Time.UnixMilli()
		}
		g := groups[groupName]
		if g == nil {
			g = &group{name: groupName, created: created, streams: map[string]*stream{}}
			groups[groupName] = g
		}
		g.created = min(g.created, created)
		st := &stream{name: prefix + "/" + cl.Container + "/" + cl.TaskID, created: created}
		for _, l := range cl.Lines {
			st.events = append(st.events, event{timestamp: l.Time.UnixMilli(), message: l.Message})
		}
		sort.SliceStable(st.events, func(i, j int) bool { return st.events[i].timestamp < st.events[j].timestamp })
		g.streams[st.name] = st
	}
	return groups
}

// findGroup resolves logGroupName or logGroupIdentifier (a name or an ARN);
// exactly one of them must be given.
func (s *Service) findGroup(region string, now time.Time, name, identifier string) (*group, error) {
	switch {
	case name != "" && identifier != "":
		return nil, invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name == "" && identifier == "":
		return nil, invalidParameter("Either logGroupName or logGroupIdentifier must be specified.")
	case identifier != "":
		name = groupNameOf(identifier)
	}
	g := s.index(region, now)[name]
	if g == nil {
		return nil, groupNotFound()
	}
	return g, nil
}

// groupNameOf takes a log group ARN ("arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]") or a name.
func groupNameOf(identifier string) string {
	const marker = ":log-group:"
	if !strings.HasPrefix(identifier, "arn:") {
		return identifier
	}
	i := strings.Index(identifier, marker)
	if i < 0 {
		return identifier
	}
	return strings.TrimSuffix(identifier[i+len(marker):], ":*")
}

func groupARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, name)
}
