package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

func init() {
	registerECSOp("RunTask", (*ecsCall).runTask)
	registerECSOp("StopTask", (*ecsCall).stopTask)
	registerECSOp("DescribeTasks", (*ecsCall).describeTasks)
	registerECSOp("ListTasks", (*ecsCall).listTasks)
}

type runTaskInput struct {
	Cluster              string          `json:"cluster"`
	TaskDefinition       string          `json:"taskDefinition"`
	Count                *int            `json:"count"`
	LaunchType           string          `json:"launchType"`
	NetworkConfiguration json.RawMessage `json:"networkConfiguration"`
	Overrides            json.RawMessage `json:"overrides"`
	StartedBy            string          `json:"startedBy"`
	Group                string          `json:"group"`
	Tags                 []Tag           `json:"tags"`
	PlatformVersion      string          `json:"platformVersion"`
	EnableExecuteCommand bool            `json:"enableExecuteCommand"`
	PropagateTags        string          `json:"propagateTags"`
	ClientToken          string          `json:"clientToken"`
	CapacityProvider     json.RawMessage `json:"capacityProviderStrategy"`
	PlacementStrategy    json.RawMessage `json:"placementStrategy"`
	PlacementConstraints json.RawMessage `json:"placementConstraints"`
}

func (x *ecsCall) runTask(body []byte) (any, error) {
	in, err := ecsDecode[runTaskInput](body)
	if err != nil {
		return nil, err
	}
	if err := checkRawMembers(body, memberKinds{"networkConfiguration": '{', "overrides": '{', "capacityProviderStrategy": '[', "placementConstraints": '[', "placementStrategy": '['}); err != nil {
		return nil, err
	}
	if err := required("taskDefinition", in.TaskDefinition); err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	count := 1
	if in.Count != nil {
		count = *in.Count
	}
	if count < 1 || count > 10 {
		return nil, invalidParameter("count must be between 1 and 10.")
	}
	if len(in.StartedBy) > 128 {
		return nil, invalidParameter("startedBy must be at most 128 characters.")
	}
	ls, err := x.resolveLaunch(c, in.TaskDefinition, in.NetworkConfiguration, in.LaunchType, in.CapacityProvider,
		in.PlacementStrategy, in.PlacementConstraints)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	td, network, launchType, rules := ls.td, ls.network, ls.runOn, ls.rules
	if err := checkPlatformVersion(in.PlatformVersion, launchType, td); err != nil {
		return nil, err
	}
	byProvider := map[string]int{}
	if in.Overrides != nil {
		var ov struct {
			ContainerOverrides []struct {
				Name string `json:"name"`
			} `json:"containerOverrides"`
		}
		if err := decodeInput(in.Overrides, &ov); err != nil {
			return nil, err
		}
		for _, o := range ov.ContainerOverrides {
			if !slices.ContainsFunc(td.Containers, func(d containerDef) bool { return d.Name == o.Name }) {
				return nil, invalidParameter("Override for container named %s is not a container in the TaskDefinition.", o.Name)
			}
		}
	}
	group := in.Group
	if group == "" {
		group = "family:" + td.Family
	}
	tags := in.Tags
	if in.PropagateTags == "TASK_DEFINITION" {
		tags = mergeTags(td.Tags, tags)
	}
	if launchType == "EC2" && !slices.ContainsFunc(c.Instances, func(ci *containerInstance) bool { return ci.Status == "ACTIVE" }) {
		return nil, invalidParameter("No Container Instances were found in your cluster.")
	}
	if in.ClientToken != "" {
		out, done, err := c.repeatedRun(in.ClientToken, body)
		if done || err != nil {
			return out, err
		}
	}
	counts := countGroup(c, group)
	tasks := []taskOut{}
	fails := []failure{}
	var started []string
	for i := 0; i < count; i++ {
		where, fail := x.em.placeTask(x.reg, c, td, launchType, network, counts, rules)
		if fail != nil {
			fails = append(fails, failure{Arn: fail.instance, Reason: fail.reason})
			continue
		}
		provider := ls.providers.next(byProvider)
		byProvider[provider]++
		t := x.em.newTask(x.reg, c, launch{td: td, launchType: launchType, provider: provider, network: network, group: group,
			platformVersion: in.PlatformVersion, startedBy: in.StartedBy, overrides: in.Overrides, tags: tags, execCommand: in.EnableExecuteCommand, where: where}, x.rc.Now)
		counts.byAZ[t.AZ]++
		counts.byInstance[t.InstanceARN]++
		tasks = append(tasks, taskOutput(t, true))
		started = append(started, t.ID)
	}
	if in.ClientToken != "" && len(started) > 0 {
		c.rememberRun(in.ClientToken, body, started)
	}
	return map[string]any{"tasks": tasks, "failures": fails}, nil
}

// maxRunTokens bounds the RunTask clientTokens a cluster remembers.
const maxRunTokens = 1000

// repeatedRun answers a RunTask whose clientToken was used before: with
// the tasks it started when the request is the same (done), with
// ConflictException when it is not. ECS documents clientToken as the way
// to make RunTask safe to retry.
func (c *cluster) repeatedRun(token string, body []byte) (out any, done bool, err error) {
	if len(token) > 64 || strings.IndexFunc(token, func(r rune) bool { return r < 33 || r > 126 }) >= 0 {
		return nil, true, invalidParameter("clientToken must be 1 to 64 characters from 33 to 126 (printable ASCII, no space).")
	}
	prev, ok := c.RunTokens[token]
	if !ok {
		return nil, false, nil
	}
	if prev.Request != requestHash(body) {
		return nil, true, Errorf("ConflictException", "The specified client token has already been used in a different request: %s.", strings.Join(prev.Tasks, ", "))
	}
	tasks := []taskOut{}
	for _, id := range prev.Tasks {
		if t := c.Tasks[id]; t != nil {
			tasks = append(tasks, taskOutput(t, true))
		}
	}
	return map[string]any{"tasks": tasks, "failures": []failure{}}, true, nil
}

func (c *cluster) rememberRun(token string, body []byte, started []string) {
	if c.RunTokens == nil {
		c.RunTokens = map[string]runToken{}
	}
	if len(c.RunTokens) >= maxRunTokens { // forget those whose tasks are gone
		for k, v := range c.RunTokens {
			if len(v.Tasks) == 0 || c.Tasks[v.Tasks[0]] == nil {
				delete(c.RunTokens, k)
			}
		}
	}
	c.RunTokens[token] = runToken{Request: requestHash(body), Tasks: started}
}

func requestHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

type taskRefInput struct {
	Cluster string   `json:"cluster"`
	Task    string   `json:"task"`
	Reason  string   `json:"reason"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include"`
}

func (x *ecsCall) stopTask(body []byte) (any, error) {
	in, err := ecsDecode[taskRefInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("task", in.Task); err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.Reason) > 255 {
		return nil, invalidParameter("reason must be at most 255 characters.")
	}
	t := c.Tasks[lastSegment(in.Task)]
	if t == nil {
		return nil, invalidParameter("The referenced task was not found.")
	}
	reason := in.Reason
	if reason == "" {
		reason = "Task stopped by user"
	}
	requestStop(t, stopUserInitiated, reason)
	return map[string]any{"task": taskOutput(t, false)}, nil
}

func (x *ecsCall) describeTasks(body []byte) (any, error) {
	in, err := ecsDecode[taskRefInput](body)
	if err != nil {
		return nil, err
	}
	return describeInCluster(x, in.Cluster, in.Tasks, in.Include, 100, "tasks",
		func(c *cluster, ref string) *task { return c.Tasks[lastSegment(ref)] }, x.taskARN, taskOutput)
}

type listTasksInput struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	Family            string `json:"family"`
	StartedBy         string `json:"startedBy"`
	ServiceName       string `json:"serviceName"`
	DesiredStatus     string `json:"desiredStatus"`
	LaunchType        string `json:"launchType"`
	NextToken         string `json:"nextToken"`
	MaxResults        *int   `json:"maxResults"`
}

func (x *ecsCall) listTasks(body []byte) (any, error) {
	in, err := ecsDecode[listTasksInput](body)
	if err != nil {
		return nil, err
	}
	c, err := x.cluster(in.Cluster)
	if err != nil {
		return nil, err
	}
	desired := in.DesiredStatus
	if desired == "" {
		desired = "RUNNING"
	}
	if desired != "RUNNING" && desired != "PENDING" && desired != "STOPPED" {
		return nil, invalidParameter("desiredStatus must be RUNNING, PENDING or STOPPED.")
	}
	if in.LaunchType != "" && in.LaunchType != "EC2" && in.LaunchType != "FARGATE" && in.LaunchType != "EXTERNAL" {
		return nil, invalidParameter("launchType must be EC2, FARGATE or EXTERNAL.")
	}
	if err := checkStartedByAlone(in); err != nil {
		return nil, err
	}
	if in.ServiceName != "" {
		if s := findService(c, in.ServiceName); s == nil {
			return nil, Errorf("ServiceNotFoundException", "Service not found.")
		}
	}
	var ts []*task
	for _, t := range c.Tasks {
		if t.DesiredStatus != desired { // PENDING is accepted but matches nothing, as in ECS
			continue
		}
		if in.Family != "" && t.Family != in.Family {
			continue
		}
		if in.StartedBy != "" && t.StartedBy != in.StartedBy {
			continue
		}
		if in.ServiceName != "" && t.Group != "service:"+lastSegment(in.ServiceName) {
			continue
		}
		if in.ContainerInstance != "" && t.InstanceARN != in.ContainerInstance && lastSegment(t.InstanceARN) != in.ContainerInstance {
			continue
		}
		if in.LaunchType != "" && t.LaunchType != in.LaunchType {
			continue
		}
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Seq < ts[j].Seq })
	return listPage("taskArns", arnsOf(ts, func(t *task) string { return t.ARN }), in.NextToken, in.MaxResults, 100)
}

// checkStartedByAlone enforces the ListTasks rule "when you specify startedBy
// as the filter, it must be the only filter that you use". The filters are
// family, serviceName, containerInstance and launchType; cluster and
// desiredStatus choose where and which lifecycle to look at and stay allowed
// (ecsdeploy's own watch lists a deployment's STOPPED tasks that way). Whether
// ECS also rejects desiredStatus beside startedBy is not documented.
func checkStartedByAlone(in *listTasksInput) error {
	if in.StartedBy == "" {
		return nil
	}
	var others []string
	for _, f := range []struct{ name, value string }{{"family", in.Family}, {"serviceName", in.ServiceName},
		{"containerInstance", in.ContainerInstance}, {"launchType", in.LaunchType}} {
		if f.value != "" {
			others = append(others, f.name)
		}
	}
	if len(others) == 0 {
		return nil
	}
	return invalidParameter("startedBy must be the only filter when it is used; remove %s or startedBy.", strings.Join(others, ", "))
}
