package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ECSInvoker calls the emulated ECS in-process; *emulator.Emulator is one.
type ECSInvoker interface {
	InvokeECS(ctx context.Context, region, operation string, input []byte) ([]byte, error)
}

// provisioner creates, updates and deletes the resources of one stack.
type provisioner struct {
	ecs     ECSInvoker
	st      *stack
	account string
}

// outcome is what a resource call produced.
type outcome struct {
	physical string
	attrs    map[string]string
	// wait, when set, is polled until the resource has settled.
	wait func(now time.Time) (bool, error)
	// replaced: an update created a new physical resource; the old one is
	// deleted in the cleanup phase.
	replaced bool
}

func (p *provisioner) call(op string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := p.ecs.InvokeECS(context.Background(), p.st.Region, op, body)
	if err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(resp, out)
	}
	return nil
}

func (p *provisioner) ecsTags() []map[string]string {
	var tags []map[string]string
	for _, t := range p.st.Tags {
		tags = append(tags, map[string]string{"key": t.Key, "value": t.Value})
	}
	return tags
}

// generatedName is the name CloudFormation gives a resource that names none.
func (p *provisioner) generatedName(logical string, max int) string {
	suffix := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:12])
	name := p.st.Name + "-" + logical + "-" + suffix
	if len(name) > max {
		name = name[len(name)-max:]
	}
	return name
}

func (p *provisioner) create(logical, typ string, props map[string]any) (outcome, error) {
	switch typ {
	case "AWS::ECS::Cluster":
		name, _ := props["ClusterName"].(string)
		if name == "" {
			name = p.generatedName(logical, 255)
		}
		var out struct{ Cluster struct{ ClusterArn string } }
		if err := p.call("CreateCluster", map[string]any{"clusterName": name, "tags": p.ecsTags()}, &out); err != nil {
			return outcome{}, err
		}
		return outcome{physical: name, attrs: map[string]string{"Arn": out.Cluster.ClusterArn}}, nil
	case "AWS::ECS::TaskDefinition":
		in := ecsJSON(props).(map[string]any)
		if tags := p.ecsTags(); len(tags) > 0 {
			in["tags"] = tags
		}
		if in["family"] == nil {
			in["family"] = p.generatedName(logical, 255)
		}
		var out struct {
			TaskDefinition struct{ TaskDefinitionArn string }
		}
		if err := p.call("RegisterTaskDefinition", in, &out); err != nil {
			return outcome{}, err
		}
		arn := out.TaskDefinition.TaskDefinitionArn
		return outcome{physical: arn, attrs: map[string]string{"TaskDefinitionArn": arn}}, nil
	case "AWS::ECS::Service":
		in := ecsJSON(props).(map[string]any)
		if in["serviceName"] == nil {
			in["serviceName"] = p.generatedName(logical, 255)
		}
		// CloudFormation, unlike the ECS API, defaults a new REPLICA
		// service's DesiredCount to 1.
		if in["desiredCount"] == nil && in["schedulingStrategy"] != "DAEMON" {
			in["desiredCount"] = 1
		}
		if tags := p.ecsTags(); len(tags) > 0 {
			in["tags"] = tags
		}
		cluster := clusterOf(in)
		var out struct{ Service serviceView }
		if err := p.call("CreateService", in, &out); err != nil {
			return outcome{}, err
		}
		svc := out.Service
		return outcome{physical: svc.ServiceArn, attrs: map[string]string{"Name": svc.ServiceName, "ServiceArn": svc.ServiceArn},
			wait: p.serviceSettled(cluster, svc.ServiceName, svc.primaryID())}, nil
	case "AWS::IAM::Role":
		name, _ := props["RoleName"].(string)
		if name == "" {
			name = p.generatedName(logical, 64)
		}
		return outcome{physical: name, attrs: map[string]string{
			"Arn":    fmt.Sprintf("arn:aws:iam::%s:role/%s", p.account, name),
			"RoleId": "AROA" + strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", "")[:17]),
		}}, nil
	case "AWS::Logs::LogGroup":
		name, _ := props["LogGroupName"].(string)
		if name == "" {
			name = p.generatedName(logical, 512)
		}
		return outcome{physical: name, attrs: map[string]string{
			"Arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", p.st.Region, p.account, name)}}, nil
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		name, _ := props["Name"].(string)
		if name == "" {
			name = p.generatedName(logical, 32)
		}
		arn := fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", p.st.Region, p.account, name,
			strings.ReplaceAll(uuid.NewString(), "-", "")[:16])
		return outcome{physical: arn, attrs: map[string]string{"TargetGroupArn": arn, "TargetGroupName": name, "TargetGroupFullName": arn[strings.Index(arn, "targetgroup/"):]}}, nil
	}
	return outcome{}, fmt.Errorf("Resource type %s is not supported by the local ECS", typ)
}

// replacedOnUpdate reports whether changing old into new props needs a new
// physical resource, as CloudFormation's resource specifications say.
func replacedOnUpdate(typ string, old, new map[string]any) bool {
	switch typ {
	case "AWS::ECS::TaskDefinition":
		return true
	case "AWS::ECS::Cluster":
		return fmt.Sprint(old["ClusterName"]) != fmt.Sprint(new["ClusterName"])
	case "AWS::ECS::Service":
		return fmt.Sprint(old["ServiceName"]) != fmt.Sprint(new["ServiceName"]) || fmt.Sprint(old["Cluster"]) != fmt.Sprint(new["Cluster"]) ||
			fmt.Sprint(old["LaunchType"]) != fmt.Sprint(new["LaunchType"])
	case "AWS::IAM::Role":
		return fmt.Sprint(old["RoleName"]) != fmt.Sprint(new["RoleName"])
	case "AWS::Logs::LogGroup":
		return fmt.Sprint(old["LogGroupName"]) != fmt.Sprint(new["LogGroupName"])
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		return fmt.Sprint(old["Name"]) != fmt.Sprint(new["Name"]) || fmt.Sprint(old["Port"]) != fmt.Sprint(new["Port"])
	}
	return false
}

// update applies new props to res, in place or by replacement.
func (p *provisioner) update(res *resource, props map[string]any) (outcome, error) {
	if replacedOnUpdate(res.Type, res.Props, props) {
		out, err := p.create(res.LogicalID, res.Type, props)
		out.replaced = true
		return out, err
	}
	switch res.Type {
	case "AWS::ECS::Service":
		in := ecsJSON(props).(map[string]any)
		cluster := clusterOf(in)
		upd := map[string]any{"cluster": cluster, "service": res.Attributes["Name"]}
		for _, k := range []string{"taskDefinition", "desiredCount", "deploymentConfiguration", "networkConfiguration",
			"platformVersion", "healthCheckGracePeriodSeconds", "enableECSManagedTags", "propagateTags", "loadBalancers"} {
			if v, ok := in[k]; ok {
				upd[k] = v
			}
		}
		var out struct{ Service serviceView }
		if err := p.call("UpdateService", upd, &out); err != nil {
			return outcome{}, err
		}
		return outcome{physical: res.PhysicalID, attrs: res.Attributes,
			wait: p.serviceSettled(cluster, out.Service.ServiceName, out.Service.primaryID())}, nil
	}
	// The other types are records whose updates need no call.
	return outcome{physical: res.PhysicalID, attrs: res.Attributes}, nil
}

// delete removes a physical resource; one that is already gone is fine.
func (p *provisioner) delete(res *resource) (func(time.Time) (bool, error), error) {
	switch res.Type {
	case "AWS::ECS::Cluster":
		err := p.call("DeleteCluster", map[string]any{"cluster": res.PhysicalID}, nil)
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	case "AWS::ECS::TaskDefinition":
		err := p.call("DeregisterTaskDefinition", map[string]any{"taskDefinition": res.PhysicalID}, nil)
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	case "AWS::ECS::Service":
		cluster := clusterOf(ecsJSON(res.Props).(map[string]any))
		name := res.Attributes["Name"]
		err := p.call("DeleteService", map[string]any{"cluster": cluster, "service": name, "force": true}, nil)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		// Like CloudFormation, wait until the service has drained, so that
		// its cluster can be deleted after it.
		return func(time.Time) (bool, error) {
			svc, found, err := p.describeService(cluster, name)
			if err != nil {
				return false, err
			}
			return !found || svc.Status == "INACTIVE", nil
		}, nil
	}
	return nil, nil
}

func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "NotFound") || strings.Contains(msg, "not found") || strings.Contains(msg, "INACTIVE")
}

func clusterOf(in map[string]any) string {
	c, _ := in["cluster"].(string)
	if c == "" {
		return "default"
	}
	if i := strings.LastIndex(c, "/"); i >= 0 && strings.HasPrefix(c, "arn:") {
		return c[i+1:]
	}
	return c
}

type serviceView struct {
	ServiceArn  string
	ServiceName string
	Status      string
	Deployments []struct {
		ID                 string `json:"id"`
		Status             string `json:"status"`
		RolloutState       string `json:"rolloutState"`
		RolloutStateReason string `json:"rolloutStateReason"`
	}
}

func (s serviceView) primaryID() string {
	for _, d := range s.Deployments {
		if d.Status == "PRIMARY" {
			return d.ID
		}
	}
	return ""
}

func (p *provisioner) describeService(cluster, name string) (serviceView, bool, error) {
	var out struct {
		Services []serviceView
	}
	if err := p.call("DescribeServices", map[string]any{"cluster": cluster, "services": []string{name}}, &out); err != nil {
		if isNotFound(err) {
			return serviceView{}, false, nil
		}
		return serviceView{}, false, err
	}
	if len(out.Services) == 0 {
		return serviceView{}, false, nil
	}
	return out.Services[0], true, nil
}

// serviceSettled waits, as CloudFormation does, for the deployment the
// create or update started to reach steady state; a deployment the circuit
// breaker failed fails the resource with CloudFormation's message.
func (p *provisioner) serviceSettled(cluster, name, deploymentID string) func(time.Time) (bool, error) {
	return func(time.Time) (bool, error) {
		svc, found, err := p.describeService(cluster, name)
		if err != nil {
			return false, err
		}
		if !found {
			return false, fmt.Errorf("Service %s was deleted while it was being stabilised", name)
		}
		for _, d := range svc.Deployments {
			if d.ID != deploymentID && deploymentID != "" {
				continue
			}
			switch d.RolloutState {
			case "COMPLETED":
				return true, nil
			case "FAILED":
				return false, fmt.Errorf("Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.\" (HandlerErrorCode: GeneralServiceException)")
			}
			return false, nil
		}
		// Our deployment is gone: ECS rolled it back and drained it.
		return false, fmt.Errorf("Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.\" (HandlerErrorCode: GeneralServiceException)")
	}
}
