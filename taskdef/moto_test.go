package taskdef

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/internal/testenv"
)

// rareInput is a task definition that uses the fields copy tools tend to
// lose: pid and ipc modes, ephemeral storage, runtime platform, a proxy
// configuration, bind and EFS volumes, Linux parameters, ulimits, container
// dependencies, FireLens, health checks, secrets, environment files, tags.
func rareInput() *ecs.RegisterTaskDefinitionInput {
	return &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String("rare"),
		TaskRoleArn:             aws.String("arn:aws:iam::123456789012:role/task"),
		ExecutionRoleArn:        aws.String("arn:aws:iam::123456789012:role/exec"),
		NetworkMode:             types.NetworkModeAwsvpc,
		PidMode:                 types.PidModeTask,
		IpcMode:                 types.IpcModeTask,
		Cpu:                     aws.String("1024"),
		Memory:                  aws.String("2048"),
		RequiresCompatibilities: []types.Compatibility{types.CompatibilityEc2},
		EphemeralStorage:        &types.EphemeralStorage{SizeInGiB: 30},
		RuntimePlatform: &types.RuntimePlatform{
			CpuArchitecture:       types.CPUArchitectureArm64,
			OperatingSystemFamily: types.OSFamilyLinux,
		},
		ProxyConfiguration: &types.ProxyConfiguration{
			Type:          types.ProxyConfigurationTypeAppmesh,
			ContainerName: aws.String("envoy"),
			Properties: []types.KeyValuePair{
				{Name: aws.String("IgnoredUID"), Value: aws.String("1337")},
				{Name: aws.String("ProxyIngressPort"), Value: aws.String("15000")},
			},
		},
		PlacementConstraints: []types.TaskDefinitionPlacementConstraint{
			{Type: types.TaskDefinitionPlacementConstraintTypeMemberOf, Expression: aws.String("attribute:ecs.instance-type =~ t3.*")},
		},
		Volumes: []types.Volume{
			{Name: aws.String("scratch"), Host: &types.HostVolumeProperties{SourcePath: aws.String("/var/lib/scratch")}},
			{Name: aws.String("shared"), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
				FileSystemId:          aws.String("fs-12345678"),
				RootDirectory:         aws.String("/"),
				TransitEncryption:     types.EFSTransitEncryptionEnabled,
				TransitEncryptionPort: aws.Int32(2999),
				AuthorizationConfig: &types.EFSAuthorizationConfig{
					AccessPointId: aws.String("fsap-1234"),
					Iam:           types.EFSAuthorizationConfigIAMEnabled,
				},
			}},
		},
		ContainerDefinitions: []types.ContainerDefinition{
			{
				Name:              aws.String("app"),
				Image:             aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.0"),
				Essential:         aws.Bool(true),
				Cpu:               512,
				Memory:            aws.Int32(1024),
				MemoryReservation: aws.Int32(512),
				PortMappings: []types.PortMapping{
					{ContainerPort: aws.Int32(8080), HostPort: aws.Int32(8080), Protocol: types.TransportProtocolTcp, Name: aws.String("http")},
				},
				Environment: []types.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("prod")}},
				Secrets: []types.Secret{
					{Name: aws.String("DB"), ValueFrom: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf")},
				},
				EnvironmentFiles: []types.EnvironmentFile{{Type: types.EnvironmentFileTypeS3, Value: aws.String("arn:aws:s3:::bucket/app.env")}},
				MountPoints:      []types.MountPoint{{SourceVolume: aws.String("shared"), ContainerPath: aws.String("/data"), ReadOnly: aws.Bool(true)}},
				LinuxParameters: &types.LinuxParameters{
					Capabilities:       &types.KernelCapabilities{Add: []string{"SYS_PTRACE"}, Drop: []string{"NET_RAW"}},
					InitProcessEnabled: aws.Bool(true),
					SharedMemorySize:   aws.Int32(64),
					Tmpfs:              []types.Tmpfs{{ContainerPath: aws.String("/run"), Size: 32, MountOptions: []string{"noexec"}}},
				},
				Ulimits: []types.Ulimit{{Name: types.UlimitNameNofile, SoftLimit: 4096, HardLimit: 8192}},
				DependsOn: []types.ContainerDependency{
					{ContainerName: aws.String("envoy"), Condition: types.ContainerConditionHealthy},
				},
				HealthCheck: &types.HealthCheck{
					Command:     []string{"CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"},
					Interval:    aws.Int32(10),
					Timeout:     aws.Int32(3),
					Retries:     aws.Int32(4),
					StartPeriod: aws.Int32(20),
				},
				LogConfiguration: &types.LogConfiguration{
					LogDriver: types.LogDriverAwsfirelens,
					Options:   map[string]string{"Name": "cloudwatch", "region": "us-east-1"},
				},
				StopTimeout:  aws.Int32(60),
				DockerLabels: map[string]string{"team": "core"},
			},
			{
				Name:      aws.String("envoy"),
				Image:     aws.String("public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27"),
				Essential: aws.Bool(true),
				Memory:    aws.Int32(256),
				User:      aws.String("1337"),
				HealthCheck: &types.HealthCheck{
					Command: []string{"CMD-SHELL", "curl -s http://localhost:9901/ready"},
				},
			},
			{
				Name:      aws.String("log-router"),
				Image:     aws.String("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"),
				Essential: aws.Bool(false),
				Memory:    aws.Int32(128),
				FirelensConfiguration: &types.FirelensConfiguration{
					Type:    types.FirelensConfigurationTypeFluentbit,
					Options: map[string]string{"enable-ecs-log-metadata": "true"},
				},
			},
		},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("cost"), Value: aws.String("42")}},
	}
}

// TestCopyKeepsRareFieldsAgainstMoto registers a task definition with rare
// fields in moto, describes it with its tags, builds the register input
// from the description, changes one image, registers that, describes it
// again, and checks the whole task definition survived apart from the image.
func TestCopyKeepsRareFieldsAgainstMoto(t *testing.T) {
	moto := testenv.StartMoto(t)
	ctx := context.Background()
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{EndpointURL: moto.Endpoint, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	client := ecs.NewFromConfig(cfg)

	original := rareInput()
	first, err := client.RegisterTaskDefinition(ctx, original)
	if err != nil {
		t.Fatal(err)
	}
	described, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: first.TaskDefinition.TaskDefinitionArn,
		Include:        []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	if err != nil {
		t.Fatal(err)
	}
	copied := RegisterInput(described.TaskDefinition, described.Tags)
	// The copy is what was registered: nothing was lost on the way through
	// the API and back.
	if !sameTaskDefinition(copied, original) {
		t.Fatalf("the copy of the described task definition differs from what was registered:\n%s",
			Diff(original, copied, DiffOptions{ShowValues: true, OldName: "registered", NewName: "copied"}))
	}

	newImage := "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:2.0"
	summary, err := Apply(copied, Changes{Images: []ImageChange{{Image: newImage}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(summary.Containers) != 1 || summary.Containers[0].Name != "app" {
		t.Fatalf("summary = %+v", summary)
	}
	second, err := client.RegisterTaskDefinition(ctx, copied)
	if err != nil {
		t.Fatal(err)
	}
	if second.TaskDefinition.Revision != first.TaskDefinition.Revision+1 {
		t.Fatalf("revision %d after %d", second.TaskDefinition.Revision, first.TaskDefinition.Revision)
	}
	again, err := client.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
		TaskDefinition: second.TaskDefinition.TaskDefinitionArn,
		Include:        []types.TaskDefinitionField{types.TaskDefinitionFieldTags},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := RegisterInput(again.TaskDefinition, again.Tags)
	want := rareInput()
	want.ContainerDefinitions[0].Image = aws.String(newImage)
	if !sameTaskDefinition(got, want) {
		t.Fatalf("the new revision differs from the old one by more than the image:\n%s",
			Diff(want, got, DiffOptions{ShowValues: true, OldName: "expected", NewName: "registered"}))
	}
	// Read-only fields are the service's to set, never copied over.
	if again.TaskDefinition.Revision != second.TaskDefinition.Revision || aws.ToString(again.TaskDefinition.TaskDefinitionArn) == aws.ToString(described.TaskDefinition.TaskDefinitionArn) {
		t.Fatalf("read-only fields wrong: %+v", again.TaskDefinition)
	}
}

// sameTaskDefinition compares two register inputs field by field, whole,
// treating an empty list or map as equal to a missing one: describe output
// returns "mountPoints": [] for a container registered without any.
func sameTaskDefinition(a, b *ecs.RegisterTaskDefinitionInput) bool {
	return reflect.DeepEqual(emptyToNil(reflect.ValueOf(CloneInput(a))).Interface(), emptyToNil(reflect.ValueOf(CloneInput(b))).Interface())
}

func emptyToNil(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			emptyToNil(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() {
				continue
			}
			if (f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.Len() == 0 {
				f.Set(reflect.Zero(f.Type()))
				continue
			}
			emptyToNil(f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			emptyToNil(v.Index(i))
		}
	}
	return v
}
