package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/emulator/scenario"
	"github.com/ecsdeploy/ecsdeploy/spec"
)

// serviceRoundTrips are spec service: mappings that, together, set every
// member of UpdateServiceInput, down to every leaf of its structures. Each
// runs on a service of its own (Fargate, or EC2 for placement, which
// Fargate refuses); members that exclude each other go in different
// entries. TestLocalSpecServiceEveryMemberRoundTrips fails when the SDK
// gains a member that no entry sets.
var serviceRoundTrips = []struct {
	name    string
	ec2     bool
	image   string // the image deployed with it ("" deploys none)
	members string // the service: mapping's members, as YAML
}{
	{name: "fargate", image: "registry.example.com/app:2", members: `
capacityProviderStrategy:
  - {capacityProvider: FARGATE_SPOT, weight: 2, base: 1}
deploymentConfiguration:
  maximumPercent: 250
  minimumHealthyPercent: 50
  deploymentCircuitBreaker:
    enable: true
    rollback: true
    resetOnHealthyTask: true
    thresholdConfiguration: {type: COUNT, value: 5}
  alarms: {alarmNames: [web-5xx], enable: true, rollback: true}
  strategy: ROLLING
  bakeTimeInMinutes: 3
  lifecycleHooks:
    - hookTargetArn: arn:aws:lambda:us-east-1:123456789012:function:smoke
      roleArn: arn:aws:iam::123456789012:role/ecs-hooks
      targetType: AWS_LAMBDA
      lifecycleStages: [POST_SCALE_UP]
      hookDetails: {suite: smoke, retries: 2}
      timeoutConfiguration: {timeoutInMinutes: 10, action: ROLLBACK}
  linearConfiguration: {stepPercent: 25, stepBakeTimeInMinutes: 2}
  canaryConfiguration: {canaryPercent: 10, canaryBakeTimeInMinutes: 5}
  earlySuccessCriteria: {enable: true, healthyPercent: 80, sourceServiceRevisionCleanup: DEFERRED}
deploymentController: {type: ECS}
desiredCount: 2
enableECSManagedTags: true
enableExecuteCommand: true
availabilityZoneRebalancing: ENABLED
gatewayConnectors:
  - portName: http
    filters: {accessTypes: [PUBLIC]}
    healthCheck:
      healthCheckIntervalSeconds: 30
      healthCheckPath: /health
      healthCheckPort: 8080
      healthCheckProtocol: HTTP
      healthCheckTimeoutSeconds: 5
      healthyThresholdCount: 3
      unhealthyThresholdCount: 2
      matcher: {httpCode: "200", grpcCode: "0"}
healthCheckGracePeriodSeconds: 45
loadBalancers:
  - targetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123456789abcdef
    containerName: app
    containerPort: 8080
    advancedConfiguration:
      alternateTargetGroupArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/fedcba9876543210
      productionListenerRule: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee
      testListenerRule: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/1a2b3c4d5e6f7a8b
      roleArn: arn:aws:iam::123456789012:role/ecs-elb
  - {loadBalancerName: classic-web, containerName: app, containerPort: 8080}
monitoring:
  metricConfigurations:
    - {metricNames: [CPUUtilization, MemoryUtilization], resolutionSeconds: 10}
networkConfiguration:
  awsvpcConfiguration: {subnets: [subnet-3, subnet-4], securityGroups: [sg-web], assignPublicIp: ENABLED}
platformVersion: "1.4.0"
propagateTags: SERVICE
serviceConnectConfiguration:
  enabled: true
  namespace: arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-web
  accessLogConfiguration: {format: JSON, includeQueryParameters: ENABLED}
  containerConfigurations: [{logLevel: debug}]
  logConfiguration:
    logDriver: awslogs
    options: {awslogs-group: /ecs/web-proxy}
    secretOptions: [{name: token, valueFrom: "arn:aws:ssm:us-east-1:123456789012:parameter/token"}]
  services:
    - portName: http
      discoveryName: web
      ingressPortOverride: 9090
      clientAliases:
        - port: 80
          dnsName: web.internal
          testTrafficRules: {header: {name: x-canary, value: {exact: "yes"}}}
      timeout: {idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 30}
      tls:
        issuerCertificateAuthority: {awsPcaAuthorityArn: "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/ca"}
        kmsKey: alias/web
        roleArn: arn:aws:iam::123456789012:role/ecs-tls
serviceRegistries:
  - {registryArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-web", port: 8080, containerName: app, containerPort: 8080}
volumeConfigurations:
  - name: data
    managedEBSVolume:
      roleArn: arn:aws:iam::123456789012:role/ecs-ebs
      encrypted: true
      filesystemType: ext4
      iops: 3000
      kmsKeyId: alias/ebs
      sizeInGiB: 20
      snapshotId: snap-0123456789abcdef0
      throughput: 125
      volumeInitializationRate: 100
      volumeType: gp3
      tagSpecifications:
        - {resourceType: volume, propagateTags: SERVICE, tags: [{key: team, value: web}]}
vpcLatticeConfigurations:
  - roleArn: arn:aws:iam::123456789012:role/ecs-lattice
    targetGroupArn: arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0123456789abcdef0
    portName: http
    advancedConfiguration:
      alternateTargetGroupArn: arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0fedcba9876543210
      productionListenerRule: arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1/listener/listener-1/rule/rule-1
      testListenerRule: arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-1/listener/listener-1/rule/rule-2
`},
	{name: "ec2 placement", ec2: true, image: "registry.example.com/app:2", members: `
placementConstraints:
  - {type: memberOf, expression: "attribute:ecs.os-type == linux"}
  - {type: distinctInstance}
placementStrategy:
  - {type: spread, field: instanceId}
`},
	// Nothing else changes: only forceNewDeployment starts the deployment.
	{name: "force", members: `
forceNewDeployment: true
`},
}

// notRoundTripped are the UpdateService members a spec's service: mapping
// does not set, and why.
var notRoundTripped = map[string]string{
	"Cluster":        "the cluster is the spec's cluster:",
	"Service":        "the service's name; it selects the service",
	"TaskDefinition": "set by deploy from the revision it registers (refused in the mapping)",
}

// TestLocalSpecServiceEveryMemberRoundTrips deploys each of
// serviceRoundTrips through a spec's service: mapping to the local ECS and
// reads every member back: from DescribeServices (the service, or its
// PRIMARY deployment for the revision-level members), or from
// DescribeServiceRevisions for the members only a service revision shows.
// The comparison walks the SDK types by reflection, so a member the local
// ECS drops is named, and so is a member of UpdateServiceInput that no
// entry sets.
func TestLocalSpecServiceEveryMemberRoundTrips(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, rt := range serviceRoundTrips {
		var members map[string]any
		if err := yaml.Unmarshal([]byte(rt.members), &members); err != nil {
			t.Fatalf("%s: %v", rt.name, err)
		}
		want, err := spec.DecodeUpdateService(members)
		if err != nil {
			t.Fatalf("%s: the sample is not a valid UpdateService input: %v", rt.name, err)
		}
		leafPaths(reflect.ValueOf(want).Elem(), "", covered)
		t.Run(rt.name, func(t *testing.T) {
			t.Parallel()
			roundTrip(t, rt.ec2, rt.image, rt.members, want)
		})
	}
	var all []string
	leafTypePaths(reflect.TypeOf(ecs.UpdateServiceInput{}), "", map[reflect.Type]bool{}, &all)
	for _, p := range all {
		top, _, _ := strings.Cut(p, ".")
		if _, skip := notRoundTripped[top]; skip {
			continue
		}
		if !covered[p] {
			t.Errorf("UpdateService member %s is set by no entry of serviceRoundTrips: add it there (with a valid value) and make the local ECS store and return it", p)
		}
	}
	if len(all) < 100 {
		t.Errorf("only %d leaf members found in UpdateServiceInput: the walk is broken", len(all))
	}
}

func roundTrip(t *testing.T, ec2 bool, image, members string, want *ecs.UpdateServiceInput) {
	var sc *scenario.Scenario
	if ec2 {
		sc = &scenario.Scenario{Capacity: &scenario.Capacity{Zones: []scenario.Zone{{Name: "a", Instances: 2, CPU: 4096, Memory: 8192}}}}
	}
	l := newLocalECS(t, sc)
	l.createService(t, serviceSpec{image: "registry.example.com/app:1", desired: 1, ec2: ec2})
	l.withPort(t, ec2)
	before := l.serviceDeploymentCount(t)
	beforeTD := aws.ToString(l.service(t).TaskDefinition)

	var text strings.Builder
	text.WriteString("cluster: c\nservice:\n  service: web\n")
	for _, line := range strings.Split(strings.TrimSpace(members), "\n") {
		text.WriteString("  " + line + "\n")
	}
	if image != "" {
		fmt.Fprintf(&text, "images: {app: %q}\n", image)
	}
	path := filepath.Join(t.TempDir(), "deploy.yaml")
	mustWrite(t, path, text.String())
	code, stdout, stderr := l.run(t, "deploy", "-f", path, "--output", "json", "-t", "30m")
	if r := parseReport(t, stdout); code != 0 || r.Outcome != "succeeded" {
		t.Fatalf("exit %d, report %+v\n%s", code, r, stderr)
	}

	// The same spec again: diff finds nothing to change but what
	// DescribeServices cannot show (a revision's gateway connectors and
	// monitoring), and the new deployment a deploy without changes forces.
	if code, out, _ := l.run(t, "diff", "-f", path); code != 0 {
		t.Errorf("diff exit %d", code)
	} else {
		for _, name := range changedSettings(out) {
			switch name {
			case "gatewayConnectors", "monitoring", "forceNewDeployment":
			default:
				t.Errorf("diff of the applied spec changes %s:\n%s", name, out)
			}
		}
	}
	svc := l.service(t)
	var primary types.Deployment
	for _, d := range svc.Deployments {
		if aws.ToString(d.Status) == "PRIMARY" {
			primary = d
		}
	}
	rev := l.currentRevision(t)
	places := []reflect.Value{reflect.ValueOf(svc), reflect.ValueOf(primary), reflect.ValueOf(rev)}
	in := reflect.ValueOf(want).Elem()
	for i := 0; i < in.NumField(); i++ {
		f := in.Type().Field(i)
		v := in.Field(i)
		if !f.IsExported() || v.IsZero() || notRoundTripped[f.Name] != "" {
			continue
		}
		if f.Name == "ForceNewDeployment" {
			// Not a setting: it starts a deployment of the same revision.
			if n := l.serviceDeploymentCount(t); n != before+1 || aws.ToString(svc.TaskDefinition) != beforeTD {
				t.Errorf("forceNewDeployment: %d service deployments after %d, task definition %s (was %s)", n, before, aws.ToString(svc.TaskDefinition), beforeTD)
			}
			continue
		}
		found := false
		for _, place := range places {
			got := place.FieldByName(f.Name)
			if !got.IsValid() {
				continue
			}
			found = true
			for _, p := range subset(v, got, f.Name) {
				t.Error(p)
			}
			break
		}
		if !found {
			t.Errorf("%s: neither DescribeServices nor DescribeServiceRevisions has this member", f.Name)
		}
	}
}

// changedSettings are the names diff lists under "service settings:".
func changedSettings(diff string) []string {
	var names []string
	in := false
	for _, line := range strings.Split(diff, "\n") {
		switch {
		case strings.TrimSpace(line) == "service settings:":
			in = true
		case in && strings.HasPrefix(line, "  ") && strings.Contains(line, ": "):
			name, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			names = append(names, name)
		case in:
			in = strings.HasPrefix(line, "  ")
		}
	}
	return names
}

// withPort moves the service to a revision whose container "app" has port
// 8080 named "http", which load balancers, Service Connect and VPC Lattice
// refer to.
func (l *localECS) withPort(t *testing.T, ec2 bool) {
	t.Helper()
	ctx := context.Background()
	in := &ecs.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []types.ContainerDefinition{{
		Name: aws.String("app"), Image: aws.String("registry.example.com/app:1"), Essential: aws.Bool(true),
		PortMappings: []types.PortMapping{{Name: aws.String("http"), ContainerPort: aws.Int32(8080)}},
	}}, NetworkMode: types.NetworkModeAwsvpc, RequiresCompatibilities: []types.Compatibility{types.CompatibilityFargate},
		Cpu: aws.String("256"), Memory: aws.String("512"),
		Volumes: []types.Volume{{Name: aws.String("data"), ConfiguredAtLaunch: aws.Bool(true)}},
	}
	if ec2 {
		in.NetworkMode, in.RequiresCompatibilities = types.NetworkModeBridge, nil
	}
	out, err := l.client.RegisterTaskDefinition(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.UpdateService(ctx, &ecs.UpdateServiceInput{Cluster: aws.String("c"), Service: aws.String("web"),
		TaskDefinition: out.TaskDefinition.TaskDefinitionArn}); err != nil {
		t.Fatal(err)
	}
	l.waitStable(t)
}

func (l *localECS) serviceDeploymentCount(t *testing.T) int {
	t.Helper()
	out, err := l.client.ListServiceDeployments(context.Background(), &ecs.ListServiceDeploymentsInput{Cluster: aws.String("c"), Service: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.ServiceDeployments)
}

// currentRevision is the service revision the newest service deployment
// deploys.
func (l *localECS) currentRevision(t *testing.T) types.ServiceRevision {
	t.Helper()
	ctx := context.Background()
	list, err := l.client.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{Cluster: aws.String("c"), Service: aws.String("web")})
	if err != nil || len(list.ServiceDeployments) == 0 {
		t.Fatalf("list service deployments: %v %+v", err, list)
	}
	newest := list.ServiceDeployments[0]
	for _, sd := range list.ServiceDeployments {
		if sd.CreatedAt.After(*newest.CreatedAt) {
			newest = sd
		}
	}
	revs, err := l.client.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: []string{aws.ToString(newest.TargetServiceRevisionArn)}})
	if err != nil || len(revs.ServiceRevisions) != 1 {
		t.Fatalf("describe service revision: %v %+v", err, revs)
	}
	return revs.ServiceRevisions[0]
}

// subset lists where got lacks or differs from a value set in want: every
// member set in want (walked by reflection) must be in got with the same
// value; got may hold more (defaults the API fills in).
func subset(want, got reflect.Value, path string) []string {
	want, got = deref(want), deref(got)
	if !want.IsValid() || want.IsZero() && want.Kind() != reflect.Slice {
		return nil
	}
	if !got.IsValid() {
		return []string{fmt.Sprintf("%s: not returned", path)}
	}
	switch want.Kind() {
	case reflect.Struct:
		var out []string
		for i := 0; i < want.NumField(); i++ {
			f := want.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			g := got.FieldByName(f.Name)
			if !g.IsValid() {
				out = append(out, fmt.Sprintf("%s.%s: the returned shape has no such member", path, f.Name))
				continue
			}
			out = append(out, subset(want.Field(i), g, path+"."+f.Name)...)
		}
		return out
	case reflect.Slice:
		if want.IsNil() {
			return nil
		}
		if got.Kind() != reflect.Slice || got.Len() != want.Len() {
			return []string{fmt.Sprintf("%s: sent %d entries, got back %v", path, want.Len(), got)}
		}
		var out []string
		for i := 0; i < want.Len(); i++ {
			out = append(out, subset(want.Index(i), got.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Map:
		var out []string
		for _, k := range want.MapKeys() {
			g := got.MapIndex(k)
			if !g.IsValid() {
				out = append(out, fmt.Sprintf("%s[%v]: not returned", path, k))
				continue
			}
			out = append(out, subset(want.MapIndex(k), g, fmt.Sprintf("%s[%v]", path, k))...)
		}
		return out
	}
	if d, ok := want.Interface().(interface{ MarshalSmithyDocument() ([]byte, error) }); ok {
		g, ok := got.Interface().(interface{ MarshalSmithyDocument() ([]byte, error) })
		if !ok {
			return []string{fmt.Sprintf("%s: not returned", path)}
		}
		a, errA := d.MarshalSmithyDocument()
		b, errB := g.MarshalSmithyDocument()
		if errA != nil || errB != nil || !sameDocument(a, b) {
			return []string{fmt.Sprintf("%s: sent %s, got back %s", path, a, b)}
		}
		return nil
	}
	if want.Kind() != got.Kind() || fmt.Sprint(want.Interface()) != fmt.Sprint(got.Interface()) {
		return []string{fmt.Sprintf("%s: sent %v, got back %v", path, want.Interface(), got.Interface())}
	}
	return nil
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if _, doc := v.Interface().(interface{ MarshalSmithyDocument() ([]byte, error) }); doc && v.Kind() == reflect.Interface {
			return v
		}
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

func sameDocument(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

// leafPaths adds to set the type-level path ("A.B.C", list indexes
// dropped) of every leaf member set in v.
func leafPaths(v reflect.Value, path string, set map[string]bool) {
	v = deref(v)
	if !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			if path != "" {
				p = path + "." + p
			}
			leafPaths(v.Field(i), p, set)
		}
		return
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Struct || v.Type().Elem().Kind() == reflect.Pointer {
			for i := 0; i < v.Len(); i++ {
				leafPaths(v.Index(i), path, set)
			}
			return
		}
	}
	if v.Kind() == reflect.Map || !v.IsZero() {
		set[path] = true
	}
}

// leafTypePaths lists the leaf members of t as leafPaths names them.
func leafTypePaths(t reflect.Type, path string, seen map[reflect.Type]bool, out *[]string) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		*out = append(*out, path)
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := f.Name
		if path != "" {
			p = path + "." + p
		}
		leafTypePaths(f.Type, p, seen, out)
	}
	sort.Strings(*out)
}
