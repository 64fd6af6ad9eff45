package emulator

import (
	"encoding/json"
	"sort"
)

func init() {
	registerECSOp("CreateCluster", (*ecsCall).createCluster)
	registerECSOp("DescribeClusters", (*ecsCall).describeClusters)
	registerECSOp("ListClusters", (*ecsCall).listClusters)
	registerECSOp("DeleteCluster", (*ecsCall).deleteCluster)
}

type clusterOut struct {
	ClusterArn                        string          `json:"clusterArn"`
	ClusterName                       string          `json:"clusterName"`
	Status                            string          `json:"status"`
	RegisteredContainerInstancesCount int             `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int             `json:"runningTasksCount"`
	PendingTasksCount                 int             `json:"pendingTasksCount"`
	ActiveServicesCount               int             `json:"activeServicesCount"`
	Statistics                        []keyValue      `json:"statistics"`
	Tags                              []Tag           `json:"tags,omitempty"`
	Settings                          json.RawMessage `json:"settings,omitempty"`
	Configuration                     json.RawMessage `json:"configuration,omitempty"`
	CapacityProviders                 []string        `json:"capacityProviders"`
	DefaultCapacityProviderStrategy   json.RawMessage `json:"defaultCapacityProviderStrategy"`
}

func (x *ecsCall) clusterOutput(c *cluster, include []string) clusterOut {
	out := clusterOut{
		ClusterArn: c.ARN, ClusterName: c.Name, Status: c.Status,
		Statistics: []keyValue{}, CapacityProviders: c.CapacityProviders,
		DefaultCapacityProviderStrategy: c.DefaultStrategy,
	}
	if out.CapacityProviders == nil {
		out.CapacityProviders = []string{}
	}
	if out.DefaultCapacityProviderStrategy == nil {
		out.DefaultCapacityProviderStrategy = json.RawMessage("[]")
	}
	if c.Status == "ACTIVE" {
		for _, ci := range c.Instances {
			if ci.Status == "ACTIVE" || ci.Status == "DRAINING" {
				out.RegisteredContainerInstancesCount++
			}
		}
		for _, t := range c.Tasks {
			switch t.LastStatus {
			case "RUNNING":
				out.RunningTasksCount++
			case "STOPPED":
			default:
				if t.DesiredStatus == "RUNNING" {
					out.PendingTasksCount++
				}
			}
		}
		for _, s := range c.Services {
			if s.Status == "ACTIVE" {
				out.ActiveServicesCount++
			}
		}
	}
	for _, inc := range include {
		switch inc {
		case "TAGS":
			out.Tags = tagsOut(c.Tags)
		case "SETTINGS":
			out.Settings = c.Settings
			if out.Settings == nil {
				out.Settings = json.RawMessage(`[{"name":"containerInsights","value":"disabled"}]`)
			}
		case "CONFIGURATIONS":
			out.Configuration = c.Configuration
		}
	}
	return out
}

type createClusterInput struct {
	ClusterName                     string          `json:"clusterName"`
	Tags                            []Tag           `json:"tags"`
	Settings                        json.RawMessage `json:"settings"`
	Configuration                   json.RawMessage `json:"configuration"`
	CapacityProviders               []string        `json:"capacityProviders"`
	DefaultCapacityProviderStrategy json.RawMessage `json:"defaultCapacityProviderStrategy"`
}

func (x *ecsCall) createCluster(body []byte) (any, error) {
	in, err := ecsDecode[createClusterInput](body)
	if err != nil {
		return nil, err
	}
	if err := checkRawMembers(body, memberKinds{"settings": '[', "configuration": '{', "defaultCapacityProviderStrategy": '['}); err != nil {
		return nil, err
	}
	name := in.ClusterName
	if name == "" {
		name = "default"
	}
	if !namePattern().MatchString(name) {
		return nil, invalidParameter("Cluster name must be up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	c := x.ensureCluster(name)
	if in.Tags != nil {
		c.Tags = mergeTags(c.Tags, in.Tags)
	}
	if in.Settings != nil {
		c.Settings = in.Settings
	}
	if in.Configuration != nil {
		c.Configuration = in.Configuration
	}
	if in.CapacityProviders != nil {
		c.CapacityProviders = in.CapacityProviders
	}
	if in.DefaultCapacityProviderStrategy != nil {
		c.DefaultStrategy = in.DefaultCapacityProviderStrategy
	}
	return map[string]any{"cluster": x.clusterOutput(c, []string{"TAGS", "SETTINGS", "CONFIGURATIONS"})}, nil
}

// ensureCluster returns the ACTIVE cluster name, creating it (with the
// scenario's capacity) when it does not exist or was deleted.
func (x *ecsCall) ensureCluster(name string) *cluster {
	c := x.reg.Clusters[name]
	if c != nil && c.Status == "ACTIVE" {
		return c
	}
	c = &cluster{Name: name, ARN: x.clusterARN(name), Status: "ACTIVE", Seq: x.reg.next(),
		Services: map[string]*service{}, Tasks: map[string]*task{}}
	x.reg.Clusters[name] = c
	x.em.syncCapacityLocked(x.reg, c, x.rc.Now)
	return c
}

type describeClustersInput struct {
	Clusters []string `json:"clusters"`
	Include  []string `json:"include"`
}

func (x *ecsCall) describeClusters(body []byte) (any, error) {
	in, err := ecsDecode[describeClustersInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.Clusters) > 100 {
		return nil, invalidParameter("clusters can have at most 100 items.")
	}
	names := in.Clusters
	if len(names) == 0 {
		names = []string{"default"}
	}
	out := []clusterOut{}
	fails := []failure{}
	for _, ref := range names {
		c := x.reg.Clusters[clusterNameOf(ref)]
		if c == nil {
			arn := ref
			if !isARN(ref) {
				arn = x.clusterARN(ref)
			}
			fails = append(fails, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out = append(out, x.clusterOutput(c, in.Include))
	}
	return map[string]any{"clusters": out, "failures": fails}, nil
}

type listInput struct {
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

func (x *ecsCall) listClusters(body []byte) (any, error) {
	in, err := ecsDecode[listInput](body)
	if err != nil {
		return nil, err
	}
	var cs []*cluster
	for _, c := range x.reg.Clusters {
		if c.Status == "ACTIVE" {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Seq < cs[j].Seq })
	return listPage("clusterArns", arnsOf(cs, func(c *cluster) string { return c.ARN }), in.NextToken, in.MaxResults, 100)
}

type deleteClusterInput struct {
	Cluster string `json:"cluster"`
}

func (x *ecsCall) deleteCluster(body []byte) (any, error) {
	in, err := ecsDecode[deleteClusterInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("cluster", in.Cluster); err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	for _, s := range c.Services {
		if s.Status == "ACTIVE" || s.Status == "DRAINING" {
			return nil, Errorf("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.")
		}
	}
	for _, t := range c.Tasks {
		if t.LastStatus != "STOPPED" {
			return nil, Errorf("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
	}
	// The emulator registered the instances itself, so it deregisters them too.
	c.Instances = nil
	c.Status = "INACTIVE"
	return map[string]any{"cluster": x.clusterOutput(c, nil)}, nil
}

func isARN(v string) bool { return len(v) > 4 && v[:4] == "arn:" }
