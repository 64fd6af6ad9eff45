package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
)

// TestDeployNoWaitAgainstMoto checks our calls against moto's ECS: the new
// revision keeps the rare fields of the old one, gets the new image, and the
// service points at it. Moto never rolls out, so the deploy does not wait.
func TestDeployNoWaitAgainstMoto(t *testing.T) {
	t.Parallel()
	moto := sharedMoto.Server(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{EndpointURL: moto.Endpoint, MaxAttempts: 1, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)
	if _, err := client.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("deploy-c")}); err != nil {
		t.Fatal(err)
	}
	reg, err := client.RegisterTaskDefinition(ctx, rareTaskDefinition())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String("deploy-c"), ServiceName: aws.String("web"), DesiredCount: aws.Int32(1),
		TaskDefinition: reg.TaskDefinition.TaskDefinitionArn, LaunchType: types.LaunchTypeEc2,
	}); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	g := runOpts{AWS: awsconfig.Options{MaxAttempts: 1}}.deps(&out, &errOut)
	code := execute(ctx, g, []string{"deploy", "--endpoint-url", moto.Endpoint, "-r", "us-east-1", "-c", "deploy-c", "-n", "web",
		"-i", "app=registry.example.com:5000/team/app:2.0", "--env", "app:ADDED=1", "--no-wait", "--output", "json"})
	if code != 0 {
		t.Fatalf("deploy exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	var report struct {
		Outcome        string         `json:"outcome"`
		TaskDefinition string         `json:"taskDefinition"`
		Revision       int32          `json:"revision"`
		APICalls       map[string]int `json:"apiCalls"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s", err, out.String())
	}
	if report.Outcome != "updated" || report.Revision != 2 || report.APICalls["ECS.UpdateService"] != 1 {
		t.Fatalf("report %+v", report)
	}

	svc, err := client.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String("deploy-c"), Services: []string{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(svc.Services[0].TaskDefinition); got != report.TaskDefinition {
		t.Fatalf("service runs %q, want the new revision %q", got, report.TaskDefinition)
	}
	newTD, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(report.TaskDefinition)})
	if err != nil {
		t.Fatal(err)
	}
	td := newTD.TaskDefinition
	app := td.ContainerDefinitions[0]
	if aws.ToString(app.Image) != "registry.example.com:5000/team/app:2.0" {
		t.Errorf("image %q was not changed", aws.ToString(app.Image))
	}
	if len(app.Environment) != 2 {
		t.Errorf("environment %v: want the old variable kept and ADDED set", app.Environment)
	}
	if td.PidMode != types.PidModeTask || td.IpcMode != types.IpcModeTask {
		t.Errorf("pidMode %q ipcMode %q not kept", td.PidMode, td.IpcMode)
	}
	if td.EphemeralStorage == nil || td.EphemeralStorage.SizeInGiB != 30 {
		t.Errorf("ephemeralStorage not kept: %+v", td.EphemeralStorage)
	}
	if td.RuntimePlatform == nil || td.RuntimePlatform.CpuArchitecture != types.CPUArchitectureArm64 {
		t.Errorf("runtimePlatform not kept: %+v", td.RuntimePlatform)
	}
	if td.ProxyConfiguration == nil || aws.ToString(td.ProxyConfiguration.ContainerName) != "envoy" {
		t.Errorf("proxyConfiguration not kept: %+v", td.ProxyConfiguration)
	}
	if len(td.Volumes) != 1 || aws.ToString(td.Volumes[0].Name) != "data" {
		t.Errorf("volumes not kept: %+v", td.Volumes)
	}
	if app.LinuxParameters == nil || aws.ToInt32(app.LinuxParameters.SharedMemorySize) != 64 {
		t.Errorf("linuxParameters not kept: %+v", app.LinuxParameters)
	}
	if len(app.Ulimits) != 1 || app.Ulimits[0].SoftLimit != 1024 {
		t.Errorf("ulimits not kept: %+v", app.Ulimits)
	}
	if len(app.DependsOn) != 1 || aws.ToString(app.DependsOn[0].ContainerName) != "envoy" {
		t.Errorf("dependsOn not kept: %+v", app.DependsOn)
	}
	if fl := td.ContainerDefinitions[2].FirelensConfiguration; fl == nil || fl.Type != types.FirelensConfigurationTypeFluentbit {
		t.Errorf("firelensConfiguration not kept: %+v", fl)
	}
}

func rareTaskDefinition() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:           aws.String("web"),
		NetworkMode:      types.NetworkModeBridge,
		PidMode:          types.PidModeTask,
		IpcMode:          types.IpcModeTask,
		EphemeralStorage: &types.EphemeralStorage{SizeInGiB: 30},
		RuntimePlatform:  &types.RuntimePlatform{CpuArchitecture: types.CPUArchitectureArm64, OperatingSystemFamily: types.OSFamilyLinux},
		ProxyConfiguration: &types.ProxyConfiguration{Type: types.ProxyConfigurationTypeAppmesh, ContainerName: aws.String("envoy"),
			Properties: []types.KeyValuePair{{Name: aws.String("AppPorts"), Value: aws.String("8080")}}},
		Volumes: []types.Volume{{Name: aws.String("data"), Host: &types.HostVolumeProperties{SourcePath: aws.String("/srv/data")}}},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name: aws.String("app"), Image: aws.String("registry.example.com:5000/team/app:1.0"), Memory: aws.Int32(256), Essential: aws.Bool(true),
				Environment:     []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("blue")}},
				LinuxParameters: &types.LinuxParameters{SharedMemorySize: aws.Int32(64), InitProcessEnabled: aws.Bool(true)},
				Ulimits:         []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: 1024, HardLimit: 4096}},
				DependsOn:       []types.ContainerDependency{{ContainerName: aws.String("envoy"), Condition: types.ContainerConditionHealthy}},
				MountPoints:     []types.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data")}},
			},
			{Name: aws.String("envoy"), Image: aws.String("envoyproxy/envoy:v1.30"), Memory: aws.Int32(128), Essential: aws.Bool(true)},
			{Name: aws.String("log"), Image: aws.String("fluent/fluent-bit:2"), Memory: aws.Int32(64), Essential: aws.Bool(false),
				FirelensConfiguration: &types.FirelensConfiguration{Type: types.FirelensConfigurationTypeFluentbit}},
		},
	}
}
