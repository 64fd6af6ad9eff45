package cloudformation

import (
	"strings"
	"testing"
)

func TestResolverEvaluatesIntrinsics(t *testing.T) {
	tmpl, err := parseTemplate(`Parameters:
  Count: {Type: Number, Default: "3"}
  Subnets: {Type: CommaDelimitedList, Default: "subnet-1,subnet-2"}
  Name: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
  Thing:
    Type: AWS::Logs::LogGroup
    Properties:
      A: {Ref: Count}
      B: {Ref: Subnets}
      C: {"Fn::Sub": "arn:${AWS::Partition}:x:${AWS::Region}:${Name}/${Role.Arn}/${!Literal}"}
      D: {"Fn::GetAtt": [Role, Arn]}
      E: {"Fn::Join": ["-", [a, {Ref: Name}]]}
      F: {Ref: AWS::NoValue}
      G: {Ref: Role}
`)
	if err != nil {
		t.Fatal(err)
	}
	st := &stack{Name: "s", ID: "id", Region: "eu-west-1", Resources: map[string]*resource{
		"Role": {PhysicalID: "role-1", Attributes: map[string]string{"Arn": "arn:aws:iam::1:role/role-1"}}}}
	s := New(nil, "123456789012")
	params := map[string]string{"Count": "3", "Subnets": "subnet-1,subnet-2", "Name": "web"}
	got, err := s.resolverFor(st, tmpl, params).resolve(tmpl.Resources["Thing"].Properties)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["A"] != int64(3) {
		t.Errorf("Number parameter: %#v", m["A"])
	}
	if l, ok := m["B"].([]any); !ok || len(l) != 2 || l[1] != "subnet-2" {
		t.Errorf("list parameter: %#v", m["B"])
	}
	if m["C"] != "arn:aws:x:eu-west-1:web/arn:aws:iam::1:role/role-1/${Literal}" {
		t.Errorf("Fn::Sub: %#v", m["C"])
	}
	if m["D"] != "arn:aws:iam::1:role/role-1" || m["E"] != "a-web" || m["G"] != "role-1" {
		t.Errorf("GetAtt %#v, Join %#v, Ref %#v", m["D"], m["E"], m["G"])
	}
	if _, present := m["F"]; present {
		t.Errorf("AWS::NoValue left the property in: %#v", m["F"])
	}
}

func TestTemplateErrors(t *testing.T) {
	cases := map[string]string{
		"no resources":      "Parameters: {}\n",
		"unknown ref":       "Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: {Ref: Nope}\n",
		"circular":          "Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    DependsOn: B\n  B:\n    Type: AWS::Logs::LogGroup\n    DependsOn: A\n",
		"resource w/o type": "Resources:\n  A:\n    Properties: {}\n",
		"not yaml":          "Resources: [\n",
	}
	for name, body := range cases {
		tmpl, err := parseTemplate(body)
		if err == nil {
			_, err = tmpl.order()
		}
		if err == nil || !strings.Contains(err.Error(), "Template") {
			t.Errorf("%s: want a template error, got %v", name, err)
		}
	}
}

func TestOrderPutsDependenciesFirst(t *testing.T) {
	tmpl, err := parseTemplate(`Resources:
  Service: {Type: AWS::ECS::Service, Properties: {TaskDefinition: {Ref: TaskDefinition}, Cluster: {Ref: Cluster}}}
  TaskDefinition: {Type: AWS::ECS::TaskDefinition, Properties: {ExecutionRoleArn: {"Fn::GetAtt": [Role, Arn]}}}
  Role: {Type: AWS::IAM::Role}
  Cluster: {Type: AWS::ECS::Cluster}
`)
	if err != nil {
		t.Fatal(err)
	}
	order, err := tmpl.order()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ","); got != "Cluster,Role,TaskDefinition,Service" {
		t.Errorf("order %s", got)
	}
	if got := strings.Join(reverseOrder(tmpl, []string{"Cluster", "Service", "Role"}), ","); got != "Service,Role,Cluster" {
		t.Errorf("reverse order %s", got)
	}
}

func TestDiffMarksReplacementsAndWhatDependsOnThem(t *testing.T) {
	before := `Parameters:
  Image: {Type: String}
Resources:
  Cluster: {Type: AWS::ECS::Cluster, Properties: {ClusterName: c}}
  LogGroup: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: g}}
  TaskDefinition: {Type: AWS::ECS::TaskDefinition, Properties: {Image: {Ref: Image}}}
  Service: {Type: AWS::ECS::Service, Properties: {Cluster: {Ref: Cluster}, TaskDefinition: {Ref: TaskDefinition}}}
`
	old, err := parseTemplate(before)
	if err != nil {
		t.Fatal(err)
	}
	after, err := parseTemplate(strings.Replace(before, "  LogGroup: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: g}}\n", "  Role: {Type: AWS::IAM::Role}\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	s := New(nil, "1")
	st := &stack{Template: old, Params: map[string]string{"Image": "a:1"}, Resources: map[string]*resource{}}
	if changes := s.diff(st, old, map[string]string{"Image": "a:1"}); len(changes) != 0 {
		t.Fatalf("same template and parameters: %v", changes)
	}
	changes := s.diff(st, after, map[string]string{"Image": "a:2"})
	got := map[string]string{}
	for _, c := range changes {
		got[c.LogicalID] = c.Action + "/" + c.Replacement
	}
	want := map[string]string{"TaskDefinition": "Modify/True", "Service": "Modify/False", "Role": "Add/", "LogGroup": "Remove/"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, ok := got["Cluster"]; ok {
		t.Errorf("the unchanged cluster is in the change set: %v", got)
	}
}

func TestECSMemberNames(t *testing.T) {
	in := map[string]any{"ContainerDefinitions": []any{map[string]any{"PortMappings": []any{map[string]any{"ContainerPort": 80}},
		"LogConfiguration": map[string]any{"Options": map[string]any{"awslogs-group": "g"}}}},
		"Volumes":              []any{map[string]any{"EFSVolumeConfiguration": map[string]any{"FilesystemId": "fs-1", "AuthorizationConfig": map[string]any{"IAM": "ENABLED"}}}},
		"EnableECSManagedTags": true}
	got := ecsJSON(in).(map[string]any)
	cd := got["containerDefinitions"].([]any)[0].(map[string]any)
	if cd["portMappings"].([]any)[0].(map[string]any)["containerPort"] != 80 {
		t.Errorf("port mappings: %#v", cd)
	}
	if cd["logConfiguration"].(map[string]any)["options"].(map[string]any)["awslogs-group"] != "g" {
		t.Errorf("log options must keep their keys: %#v", cd["logConfiguration"])
	}
	efs := got["volumes"].([]any)[0].(map[string]any)["efsVolumeConfiguration"].(map[string]any)
	if efs["fileSystemId"] != "fs-1" || efs["authorizationConfig"].(map[string]any)["iam"] != "ENABLED" {
		t.Errorf("efs: %#v", efs)
	}
	if got["enableECSManagedTags"] != true {
		t.Errorf("managed tags: %#v", got)
	}
}

func FuzzParseTemplate(f *testing.F) {
	f.Add("Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: {\"Fn::Sub\": \"${AWS::Region}-${B.Arn}\"}\n  B:\n    Type: AWS::IAM::Role\n")
	f.Add("{\"Resources\": {\"A\": {\"Type\": \"AWS::ECS::Cluster\", \"DependsOn\": [\"A\"]}}}")
	f.Fuzz(func(t *testing.T, body string) {
		tmpl, err := parseTemplate(body)
		if err != nil {
			return
		}
		// A parsed template can always be ordered or reports a cycle, and
		// resolving it against an empty stack never panics.
		if _, err := tmpl.order(); err != nil {
			return
		}
		s := New(nil, "1")
		st := &stack{Template: tmpl, Params: map[string]string{}, Resources: map[string]*resource{}}
		for name := range tmpl.Resources {
			_ = s.staticProps(st, tmpl, map[string]string{}, name)
		}
	})
}
