package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

func (x *ecsCall) describeServices(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	return describeInCluster(x, in.Cluster, in.Services, in.Include, 10, "services", findService, x.serviceARN, x.em.serviceOutput)
}

// describeInCluster answers a Describe operation of a cluster's services
// or tasks: for each of 1 to most refs (plural names them in errors and
// is the answer's key), the output of the item find finds (with its tags
// when include has TAGS), or a MISSING failure with its ARN (arnOf makes
// one from a cluster name and a name or id).
func describeInCluster[T, Out any](x *ecsCall, clusterRef string, refs, include []string, most int, plural string,
	find func(*cluster, string) *T, arnOf func(clusterName, ref string) string, output func(*T, bool) Out) (any, error) {
	if len(refs) == 0 {
		return nil, invalidParameter("%s%s cannot be empty.", strings.ToUpper(plural[:1]), plural[1:])
	}
	if len(refs) > most {
		return nil, invalidParameter("Too many %s specified. A maximum of %d %s can be described at once.", plural, most, plural)
	}
	c, err := x.cluster(clusterRef)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(include, "TAGS")
	d := described[Out]{key: plural, items: make([]Out, 0, len(refs)), fails: []failure{}}
	for _, ref := range refs {
		item := find(c, ref)
		if item == nil {
			arn := ref
			if !isARN(ref) {
				arn = arnOf(c.Name, ref)
			}
			d.fails = append(d.fails, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		d.items = append(d.items, output(item, withTags))
	}
	return d, nil
}

// described is a Describe operation's answer: the items found, under key,
// and the failures.
type described[Out any] struct {
	key   string
	items []Out
	fails []failure
}

// MarshalJSON writes {"KEY": items, "failures": fails}, in that order.
func (d described[Out]) MarshalJSON() ([]byte, error) {
	key, err := json.Marshal(d.key)
	if err != nil {
		return nil, err
	}
	items, err := json.Marshal(d.items)
	if err != nil {
		return nil, err
	}
	fails, err := json.Marshal(d.fails)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, `{%s:%s,"failures":%s}`, key, items, fails), nil
}

type listServicesInput struct {
	Cluster            string `json:"cluster"`
	LaunchType         string `json:"launchType"`
	SchedulingStrategy string `json:"schedulingStrategy"`
	NextToken          string `json:"nextToken"`
	MaxResults         *int   `json:"maxResults"`
}

func (x *ecsCall) listServices(body []byte) (any, error) {
	in, err := ecsDecode[listServicesInput](body)
	if err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	var ss []*service
	for _, s := range c.Services {
		if s.Status == "INACTIVE" {
			continue
		}
		if in.LaunchType != "" && s.LaunchType != in.LaunchType {
			continue
		}
		if in.SchedulingStrategy != "" && s.SchedulingStrategy != in.SchedulingStrategy {
			continue
		}
		ss = append(ss, s)
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].Seq < ss[j].Seq })
	return listPage("serviceArns", arnsOf(ss, func(s *service) string { return s.ARN }), in.NextToken, in.MaxResults, 10)
}

func (x *ecsCall) deleteService(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	s, err := x.namedService(in.Cluster, in.Service)
	if err != nil {
		return nil, err
	}
	if s.Status == "INACTIVE" {
		return nil, Errorf("ServiceNotFoundException", "Service not found.")
	}
	if s.DesiredCount > 0 && !in.Force {
		return nil, invalidParameter("The service cannot be stopped while it is scaled above 0.")
	}
	s.Status = "DRAINING"
	s.DesiredCount = 0
	s.stopHistory("The service was deleted.", x.rc.Now)
	s.touched = true
	for _, d := range s.Deployments {
		d.DesiredCount = 0
	}
	return map[string]any{"service": x.em.serviceOutput(s, false)}, nil
}
