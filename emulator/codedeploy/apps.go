package codedeploy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	register("CreateApplication", (*Service).createApplication)
	register("GetApplication", (*Service).getApplication)
	register("BatchGetApplications", (*Service).batchGetApplications)
	register("ListApplications", (*Service).listApplications)
	register("DeleteApplication", (*Service).deleteApplication)
	register("CreateDeploymentGroup", (*Service).createDeploymentGroup)
	register("GetDeploymentGroup", (*Service).getDeploymentGroup)
	register("BatchGetDeploymentGroups", (*Service).batchGetDeploymentGroups)
	register("ListDeploymentGroups", (*Service).listDeploymentGroups)
	register("DeleteDeploymentGroup", (*Service).deleteDeploymentGroup)
}

type appInput struct {
	ApplicationName     string   `json:"applicationName"`
	ApplicationNames    []string `json:"applicationNames"`
	ComputePlatform     string   `json:"computePlatform"`
	Tags                []tag    `json:"tags"`
	DeploymentGroupName string   `json:"deploymentGroupName"`
	NextToken           string   `json:"nextToken"`
}

var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._+@=,-]{1,100}$`) })

func checkAppName(name string) error {
	if name == "" {
		return errf("ApplicationNameRequiredException", "Application name is missing")
	}
	if !namePattern().MatchString(name) {
		return errf("InvalidApplicationNameException", "Application name %q is not valid: use 1 to 100 letters, digits and . _ + @ = , -", name)
	}
	return nil
}

// appRequest is a request that names an application.
type appRequest interface{ appName() string }

func (in *appInput) appName() string   { return in.ApplicationName }
func (in *groupInput) appName() string { return in.ApplicationName }

// lockApp decodes a request naming an application into a new T, takes the
// lock and finds the application. On success the caller releases the lock
// with unlock.
func lockApp[T any, P interface {
	*T
	appRequest
}](s *Service, rc *emulator.RequestContext, body []byte) (in P, a *application, unlock func(), err error) {
	in = new(T)
	if err := decode(body, in); err != nil {
		return nil, nil, nil, err
	}
	s.mu.Lock()
	if a, err = s.app(rc.Region, in.appName()); err != nil {
		s.mu.Unlock()
		return nil, nil, nil, err
	}
	return in, a, s.mu.Unlock, nil
}

// app finds an application; the caller holds s.mu.
func (s *Service) app(region, name string) (*application, error) {
	if err := checkAppName(name); err != nil {
		return nil, err
	}
	a := s.st.Apps[key(region, name)]
	if a == nil {
		return nil, errf("ApplicationDoesNotExistException", "No application found for name: %s", name)
	}
	return a, nil
}

func (s *Service) createApplication(rc *emulator.RequestContext, body []byte) (any, error) {
	var in appInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	if in.ComputePlatform == "" {
		in.ComputePlatform = "Server"
	}
	if in.ComputePlatform != "ECS" {
		return nil, errf("InvalidComputePlatformException", "The local CodeDeploy serves the ECS compute platform only; create the application with --compute-platform ECS (got %s).", in.ComputePlatform)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key(rc.Region, in.ApplicationName)
	if s.st.Apps[k] != nil {
		return nil, errf("ApplicationAlreadyExistsException", "%s already exists in your account", in.ApplicationName)
	}
	a := &application{ID: uuid.NewString(), Name: in.ApplicationName, Region: rc.Region, Platform: in.ComputePlatform,
		Created: rc.Now, Tags: in.Tags, Groups: map[string]*deploymentGroup{}, Seq: s.nextSeq()}
	s.st.Apps[k] = a
	return map[string]any{"applicationId": a.ID}, nil
}

func appInfo(a *application) map[string]any {
	return map[string]any{"applicationId": a.ID, "applicationName": a.Name, "createTime": epochOf(a.Created),
		"linkedToGitHub": false, "computePlatform": a.Platform}
}

func (s *Service) getApplication(rc *emulator.RequestContext, body []byte) (any, error) {
	_, a, unlock, err := lockApp[appInput](s, rc, body)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return map[string]any{"application": appInfo(a)}, nil
}

func (s *Service) batchGetApplications(rc *emulator.RequestContext, body []byte) (any, error) {
	var in appInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.ApplicationNames), 100); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for _, n := range in.ApplicationNames {
		a, err := s.app(rc.Region, n)
		if err != nil {
			return nil, err
		}
		out = append(out, appInfo(a))
	}
	return map[string]any{"applicationsInfo": out}, nil
}

func (s *Service) listApplications(rc *emulator.RequestContext, body []byte) (any, error) {
	var in appInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := []string{}
	for _, a := range s.st.Apps {
		if a.Region == rc.Region {
			names = append(names, a.Name)
		}
	}
	sort.Strings(names)
	return map[string]any{"applications": names}, nil
}

func (s *Service) deleteApplication(rc *emulator.RequestContext, body []byte) (any, error) {
	var in appInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.st.Apps, key(rc.Region, in.ApplicationName))
	return nil, nil
}

// groupInput holds the members of the deployment group operations.
type groupInput struct {
	ApplicationName      string `json:"applicationName"`
	DeploymentGroupName  string `json:"deploymentGroupName"`
	DeploymentConfigName string `json:"deploymentConfigName"`
	ServiceRoleArn       string `json:"serviceRoleArn"`
	DeploymentStyle      *struct {
		DeploymentType   string `json:"deploymentType"`
		DeploymentOption string `json:"deploymentOption"`
	} `json:"deploymentStyle"`
	BlueGreen *struct {
		Terminate *struct {
			Action string `json:"action"`
			Wait   *int   `json:"terminationWaitTimeInMinutes"`
		} `json:"terminateBlueInstancesOnDeploymentSuccess"`
		Ready *struct {
			Action string `json:"actionOnTimeout"`
			Wait   *int   `json:"waitTimeInMinutes"`
		} `json:"deploymentReadyOption"`
	} `json:"blueGreenDeploymentConfiguration"`
	LoadBalancerInfo *struct {
		Pairs []struct {
			TargetGroups []struct {
				Name string `json:"name"`
			} `json:"targetGroups"`
			Prod *struct {
				Listeners []string `json:"listenerArns"`
			} `json:"prodTrafficRoute"`
			Test *struct {
				Listeners []string `json:"listenerArns"`
			} `json:"testTrafficRoute"`
		} `json:"targetGroupPairInfoList"`
		ELBs         []any `json:"elbInfoList"`
		TargetGroups []any `json:"targetGroupInfoList"`
	} `json:"loadBalancerInfo"`
	ECSServices []struct {
		ServiceName string `json:"serviceName"`
		ClusterName string `json:"clusterName"`
	} `json:"ecsServices"`
	AutoRollback *autoRollback `json:"autoRollbackConfiguration"`
	Alarms       *struct {
		Enabled bool `json:"enabled"`
		Alarms  []struct {
			Name string `json:"name"`
		} `json:"alarms"`
	} `json:"alarmConfiguration"`
	NextToken string `json:"nextToken"`
}

// groupMembers are the CreateDeploymentGroup members echoed by GetDeploymentGroup.
var groupMembers = []string{"deploymentConfigName", "serviceRoleArn", "triggerConfigurations", "alarmConfiguration",
	"autoRollbackConfiguration", "deploymentStyle", "blueGreenDeploymentConfiguration", "loadBalancerInfo", "ecsServices"}

var roleARN = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`) })

var rollbackEvents = map[string]bool{"DEPLOYMENT_FAILURE": true, "DEPLOYMENT_STOP_ON_ALARM": true, "DEPLOYMENT_STOP_ON_REQUEST": true}

// checkGroupInput checks a deployment group's members as CodeDeploy does
// for the ECS compute platform, and returns the parsed group.
func checkGroupInput(in *groupInput) (*deploymentGroup, error) {
	if in.DeploymentGroupName == "" {
		return nil, errf("DeploymentGroupNameRequiredException", "Deployment Group name is missing")
	}
	if !namePattern().MatchString(in.DeploymentGroupName) {
		return nil, errf("InvalidDeploymentGroupNameException", "Deployment group name %q is not valid: use 1 to 100 letters, digits and . _ + @ = , -", in.DeploymentGroupName)
	}
	if in.ServiceRoleArn == "" {
		return nil, errf("RoleRequiredException", "Role ARN is required for ECS deployment groups.")
	}
	if !roleARN().MatchString(in.ServiceRoleArn) {
		return nil, errf("InvalidRoleException", "The service role ARN %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).", in.ServiceRoleArn)
	}
	if st := in.DeploymentStyle; st == nil || st.DeploymentType != "BLUE_GREEN" || st.DeploymentOption != "WITH_TRAFFIC_CONTROL" {
		return nil, errf("InvalidDeploymentStyleException", "An ECS deployment group needs deploymentStyle deploymentType BLUE_GREEN and deploymentOption WITH_TRAFFIC_CONTROL.")
	}
	if len(in.ECSServices) != 1 || in.ECSServices[0].ServiceName == "" || in.ECSServices[0].ClusterName == "" {
		return nil, errf("InvalidECSServiceException", "An ECS deployment group needs exactly one ecsServices entry with serviceName and clusterName.")
	}
	lbi := in.LoadBalancerInfo
	if lbi == nil || len(lbi.Pairs) != 1 || len(lbi.ELBs) > 0 || len(lbi.TargetGroups) > 0 {
		return nil, errf("InvalidLoadBalancerInfoException", "An ECS deployment group needs loadBalancerInfo with exactly one targetGroupPairInfoList entry (and no elbInfoList or targetGroupInfoList).")
	}
	pair := lbi.Pairs[0]
	if len(pair.TargetGroups) != 2 || pair.TargetGroups[0].Name == "" || pair.TargetGroups[1].Name == "" || pair.TargetGroups[0].Name == pair.TargetGroups[1].Name {
		return nil, errf("InvalidTargetGroupPairException", "The target group pair must name two different target groups.")
	}
	if pair.Prod == nil || len(pair.Prod.Listeners) != 1 {
		return nil, errf("InvalidTargetGroupPairException", "The target group pair needs a prodTrafficRoute with exactly one listener ARN.")
	}
	g := &deploymentGroup{Name: in.DeploymentGroupName, Config: in.DeploymentConfigName, ServiceRole: in.ServiceRoleArn,
		Cluster: in.ECSServices[0].ClusterName, Service: in.ECSServices[0].ServiceName,
		TargetGroups:  []string{pair.TargetGroups[0].Name, pair.TargetGroups[1].Name},
		ProdListeners: pair.Prod.Listeners}
	if pair.Test != nil {
		if len(pair.Test.Listeners) > 1 {
			return nil, errf("InvalidTargetGroupPairException", "The target group pair's testTrafficRoute takes at most one listener ARN.")
		}
		g.TestListeners = pair.Test.Listeners
		if len(g.TestListeners) == 1 && g.TestListeners[0] == g.ProdListeners[0] {
			return nil, errf("InvalidTargetGroupPairException", "The production and test traffic routes must use different listeners.")
		}
	}
	if g.Config == "" {
		g.Config = "CodeDeployDefault.ECSAllAtOnce"
	}
	g.BlueGreen = blueGreenConfig{ReadyAction: "CONTINUE_DEPLOYMENT", TerminateAction: "TERMINATE"}
	if bg := in.BlueGreen; bg != nil {
		if r := bg.Ready; r != nil {
			switch r.Action {
			case "CONTINUE_DEPLOYMENT", "STOP_DEPLOYMENT":
				g.BlueGreen.ReadyAction = r.Action
			default:
				return nil, errf("InvalidBlueGreenDeploymentConfigurationException", "deploymentReadyOption.actionOnTimeout must be CONTINUE_DEPLOYMENT or STOP_DEPLOYMENT.")
			}
			if err := waitMinutes("deploymentReadyOption.waitTimeInMinutes", r.Wait, &g.BlueGreen.ReadyWait); err != nil {
				return nil, err
			}
		}
		if t := bg.Terminate; t != nil {
			switch t.Action {
			case "TERMINATE", "KEEP_ALIVE":
				g.BlueGreen.TerminateAction = t.Action
			case "":
			default:
				return nil, errf("InvalidBlueGreenDeploymentConfigurationException", "terminateBlueInstancesOnDeploymentSuccess.action must be TERMINATE or KEEP_ALIVE.")
			}
			if err := waitMinutes("terminationWaitTimeInMinutes", t.Wait, &g.BlueGreen.TerminationWait); err != nil {
				return nil, err
			}
		}
	}
	if ar := in.AutoRollback; ar != nil {
		for _, e := range ar.Events {
			if !rollbackEvents[e] {
				return nil, errf("InvalidAutoRollbackConfigException", "The auto-rollback event %q is not valid; use DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM or DEPLOYMENT_STOP_ON_REQUEST.", e)
			}
		}
		if ar.Enabled && len(ar.Events) == 0 {
			return nil, errf("InvalidAutoRollbackConfigException", "Auto-rollback is enabled but no events are given.")
		}
		g.AutoRollback = *ar
	}
	if al := in.Alarms; al != nil {
		if len(al.Alarms) > 10 {
			return nil, errf("AlarmsLimitExceededException", "The maximum number of alarms for a deployment group (10) was exceeded.")
		}
		for _, a := range al.Alarms {
			if a.Name == "" {
				return nil, errf("InvalidAlarmConfigException", "Each alarm of alarmConfiguration needs a name.")
			}
			g.Alarms = append(g.Alarms, a.Name)
		}
		if al.Enabled && len(g.Alarms) == 0 {
			return nil, errf("InvalidAlarmConfigException", "alarmConfiguration is enabled but names no alarm.")
		}
		g.AlarmsOn = al.Enabled
	}
	return g, nil
}

// ecsServiceView is the part of DescribeServices a deployment group needs.
type ecsServiceView struct {
	Services []struct {
		ServiceArn           string `json:"serviceArn"`
		Status               string `json:"status"`
		DeploymentController struct {
			Type string `json:"type"`
		} `json:"deploymentController"`
		LoadBalancers []struct {
			TargetGroupArn string `json:"targetGroupArn"`
		} `json:"loadBalancers"`
		LaunchType           string          `json:"launchType"`
		NetworkConfiguration json.RawMessage `json:"networkConfiguration"`
		TaskSets             []struct {
			ID             string `json:"id"`
			Status         string `json:"status"`
			TaskDefinition string `json:"taskDefinition"`
			LoadBalancers  []struct {
				TargetGroupArn string `json:"targetGroupArn"`
			} `json:"loadBalancers"`
			ComputedDesiredCount int    `json:"computedDesiredCount"`
			RunningCount         int    `json:"runningCount"`
			PendingCount         int    `json:"pendingCount"`
			StabilityStatus      string `json:"stabilityStatus"`
			ExternalID           string `json:"externalId"`
		} `json:"taskSets"`
	} `json:"services"`
}

// describeService reads the ECS service of a group.
func (s *Service) describeService(region, cluster, service string) (*ecsServiceView, error) {
	var out ecsServiceView
	err := s.callECS(region, "DescribeServices", map[string]any{"cluster": cluster, "services": []string{service}}, &out)
	if err != nil {
		return nil, err
	}
	if len(out.Services) == 0 || out.Services[0].Status != "ACTIVE" {
		return nil, fmt.Errorf("the ECS service %s in cluster %s does not exist or is not ACTIVE", service, cluster)
	}
	return &out, nil
}

// checkGroupTargets checks the group against ECS and the load balancers:
// the service exists with the CODE_DEPLOY controller and one of the pair's
// target groups, and the production listener forwards to one of them.
// It runs without s.mu held (it calls ECS).
func (s *Service) checkGroupTargets(region string, g *deploymentGroup) error {
	view, err := s.describeService(region, g.Cluster, g.Service)
	if err != nil {
		return errf("InvalidECSServiceException", "The ECS service %s in cluster %s could not be found, or is not ACTIVE.", g.Service, g.Cluster)
	}
	svc := view.Services[0]
	if svc.DeploymentController.Type != "CODE_DEPLOY" {
		return errf("InvalidECSServiceException", "Deployment group's ECS service must be configured for a CODE_DEPLOY deployment controller (service %s has %s).", g.Service, orDefault(svc.DeploymentController.Type, "ECS"))
	}
	onService := false
	for _, lb := range svc.LoadBalancers {
		if n := targetGroupName(lb.TargetGroupArn); n == g.TargetGroups[0] || n == g.TargetGroups[1] {
			onService = true
		}
	}
	if !onService {
		return errf("InvalidTargetGroupPairException", "The ECS service %s is not behind either target group of the pair (%s, %s).", g.Service, g.TargetGroups[0], g.TargetGroups[1])
	}
	listeners := append(append([]string{}, g.ProdListeners...), g.TestListeners...)
	for i, l := range listeners {
		fwd, err := s.traffic.Forwards(l)
		if err != nil {
			return errf("InvalidLoadBalancerInfoException", "The listener %s could not be used: %v", l, err)
		}
		if i > 0 {
			continue // a test listener may forward anywhere before the first deployment
		}
		attached := false
		for _, f := range fwd {
			if n := targetGroupName(f.TargetGroupARN); n == g.TargetGroups[0] || n == g.TargetGroups[1] {
				attached = true
			}
		}
		if !attached {
			return errf("InvalidTargetGroupPairException", "The production listener %s does not forward to either target group of the pair (%s, %s); make its default action forward to the target group the ECS service uses.", l, g.TargetGroups[0], g.TargetGroups[1])
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Service) createDeploymentGroup(rc *emulator.RequestContext, body []byte) (any, error) {
	var in groupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkAppName(in.ApplicationName); err != nil {
		return nil, err
	}
	g, err := checkGroupInput(&in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	_, appErr := s.app(rc.Region, in.ApplicationName)
	configOK := s.config(rc.Region, g.Config) != nil
	s.mu.Unlock()
	if appErr != nil {
		return nil, appErr
	}
	if !configOK {
		return nil, errf("DeploymentConfigDoesNotExistException", "No deployment configuration found for name: %s", g.Config)
	}
	if err := s.checkGroupTargets(rc.Region, g); err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)
	g.Members = map[string]json.RawMessage{}
	for _, m := range groupMembers {
		if v, ok := raw[m]; ok {
			g.Members[m] = v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.app(rc.Region, in.ApplicationName)
	if err != nil {
		return nil, err
	}
	if a.Groups[g.Name] != nil {
		return nil, errf("DeploymentGroupAlreadyExistsException", "Deployment group %s already exists for application %s.", g.Name, a.Name)
	}
	for _, other := range a.Groups {
		if other.Cluster == g.Cluster && other.Service == g.Service {
			return nil, errf("InvalidECSServiceException", "The ECS service %s is already used by deployment group %s.", g.Service, other.Name)
		}
	}
	g.ID, g.Seq = uuid.NewString(), s.nextSeq()
	a.Groups[g.Name] = g
	return map[string]any{"deploymentGroupId": g.ID}, nil
}

func (s *Service) group(region, app, name string) (*application, *deploymentGroup, error) {
	a, err := s.app(region, app)
	if err != nil {
		return nil, nil, err
	}
	g, err := a.group(name)
	return a, g, err
}

// group finds one of a's deployment groups; the caller holds s.mu.
func (a *application) group(name string) (*deploymentGroup, error) {
	if name == "" {
		return nil, errf("DeploymentGroupNameRequiredException", "Deployment Group name is missing")
	}
	g := a.Groups[name]
	if g == nil {
		return nil, errf("DeploymentGroupDoesNotExistException", "No Deployment Group found for name: %s", name)
	}
	return g, nil
}

func (s *Service) groupInfo(a *application, g *deploymentGroup) map[string]any {
	out := map[string]any{}
	for k, v := range g.Members {
		out[k] = v
	}
	out["applicationName"] = a.Name
	out["deploymentGroupId"] = g.ID
	out["deploymentGroupName"] = g.Name
	out["deploymentConfigName"] = g.Config
	out["computePlatform"] = "ECS"
	out["outdatedInstancesStrategy"] = "UPDATE" // EC2 only; CodeDeploy reports its default
	out["ec2TagFilters"] = []any{}
	out["onPremisesInstanceTagFilters"] = []any{}
	out["autoScalingGroups"] = []any{}
	if _, ok := out["triggerConfigurations"]; !ok {
		out["triggerConfigurations"] = []any{}
	}
	if _, ok := out["alarmConfiguration"]; !ok {
		out["alarmConfiguration"] = map[string]any{"enabled": false, "ignorePollAlarmFailure": false, "alarms": []any{}}
	}
	if _, ok := out["autoRollbackConfiguration"]; !ok {
		out["autoRollbackConfiguration"] = map[string]any{"enabled": false, "events": []any{}}
	}
	for k, id := range map[string]string{"lastAttemptedDeployment": g.LastAttempted, "lastSuccessfulDeployment": g.LastSucceeded} {
		if d := s.st.Deployments[id]; d != nil {
			info := map[string]any{"deploymentId": d.ID, "status": d.Status, "createTime": epochOf(d.Created)}
			if !d.Completed.IsZero() {
				info["endTime"] = epochOf(d.Completed)
			}
			out[k] = info
		}
	}
	return out
}

func (s *Service) getDeploymentGroup(rc *emulator.RequestContext, body []byte) (any, error) {
	in, a, unlock, err := lockApp[groupInput](s, rc, body)
	if err != nil {
		return nil, err
	}
	defer unlock()
	g, err := a.group(in.DeploymentGroupName)
	if err != nil {
		return nil, err
	}
	return map[string]any{"deploymentGroupInfo": s.groupInfo(a, g)}, nil
}

// batchGetDeploymentGroups returns the groups of one application that
// exist; the names that do not are listed in errorMessage, as CodeDeploy
// does, rather than failing the call.
func (s *Service) batchGetDeploymentGroups(rc *emulator.RequestContext, body []byte) (any, error) {
	var in struct {
		ApplicationName      string   `json:"applicationName"`
		DeploymentGroupNames []string `json:"deploymentGroupNames"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkBatch(len(in.DeploymentGroupNames), 100); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.app(rc.Region, in.ApplicationName)
	if err != nil {
		return nil, err
	}
	infos := []any{}
	var missing []string
	for _, n := range in.DeploymentGroupNames {
		g := a.Groups[n]
		if g == nil {
			missing = append(missing, n)
			continue
		}
		infos = append(infos, s.groupInfo(a, g))
	}
	out := map[string]any{"deploymentGroupsInfo": infos}
	if len(missing) > 0 {
		out["errorMessage"] = "Deployment groups not found: " + strings.Join(missing, ", ")
	}
	return out, nil
}

func (s *Service) listDeploymentGroups(rc *emulator.RequestContext, body []byte) (any, error) {
	_, a, unlock, err := lockApp[groupInput](s, rc, body)
	if err != nil {
		return nil, err
	}
	defer unlock()
	names := []string{}
	for n := range a.Groups {
		names = append(names, n)
	}
	sort.Strings(names)
	return map[string]any{"applicationName": a.Name, "deploymentGroups": names}, nil
}

func (s *Service) deleteDeploymentGroup(rc *emulator.RequestContext, body []byte) (any, error) {
	in, a, unlock, err := lockApp[groupInput](s, rc, body)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if in.DeploymentGroupName == "" {
		return nil, errf("DeploymentGroupNameRequiredException", "Deployment Group name is missing")
	}
	for _, d := range s.st.Deployments {
		if d.Region == rc.Region && d.App == a.Name && d.Group == in.DeploymentGroupName && !d.done() {
			return nil, errf("InvalidInputException", "Deployment group %s has a deployment in progress (%s); stop it first.", in.DeploymentGroupName, d.ID)
		}
	}
	delete(a.Groups, in.DeploymentGroupName)
	return map[string]any{"hooksNotCleanedUp": []any{}}, nil
}

// waitMinutes checks a blue/green wait of at most two days and stores it.
func waitMinutes(member string, v *int, into *int) error {
	if v == nil {
		return nil
	}
	if *v < 0 || *v > 2880 {
		return errf("InvalidBlueGreenDeploymentConfigurationException", "%s must be between 0 and 2880.", member)
	}
	*into = *v
	return nil
}
