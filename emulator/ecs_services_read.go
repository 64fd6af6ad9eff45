package emulator

import (
	"slices"
	"sort"
)

func (x *ecsCall) describeServices(body []byte) (any, error) {
	in, err := ecsDecode[serviceInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.Services) == 0 {
		return nil, invalidParameter("Services cannot be empty.")
	}
	if len(in.Services) > 10 {
		return nil, invalidParameter("Too many services specified. A maximum of 10 services can be described at once.")
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	withTags := slices.Contains(in.Include, "TAGS")
	out := make([]serviceOut, 0, len(in.Services))
	fails := []failure{}
	for _, ref := range in.Services {
		s := findService(c, ref)
		if s == nil {
			arn := ref
			if !isARN(ref) {
				arn = x.serviceARN(c.Name, ref)
			}
			fails = append(fails, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out = append(out, x.em.serviceOutput(s, withTags))
	}
	return struct {
		Services []serviceOut `json:"services"`
		Failures []failure    `json:"failures"`
	}{out, fails}, nil
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
	arns := make([]string, len(ss))
	for i, s := range ss {
		arns[i] = s.ARN
	}
	page, next, err := paginate(arns, in.NextToken, in.MaxResults, 10)
	if err != nil {
		return nil, err
	}
	return listOutput("serviceArns", page, next), nil
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
