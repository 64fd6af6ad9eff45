package cloudformation

import (
	"reflect"
	"strings"
	"testing"
)

// TestShortFormIntrinsicsMeanTheLongForm: a template written with !Ref,
// !GetAtt, !Sub and !Join resolves exactly as its long-form twin.
func TestShortFormIntrinsicsMeanTheLongForm(t *testing.T) {
	const head = "Parameters:\n  Name: {Type: String}\n  Port: {Type: Number, Default: \"80\"}\nResources:\n  Role:\n    Type: AWS::IAM::Role\n  Thing:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
	long := head + `      A: {Ref: Name}
      B: {"Fn::GetAtt": [Role, Arn]}
      C: {"Fn::Sub": "${Name}-${Role.Arn}"}
      D: {"Fn::Join": ["-", [a, {Ref: Name}, {"Fn::GetAtt": [Role, Arn]}]]}
      E: {Ref: Port}
      F: [{Ref: Name}, plain]
`
	short := head + `      A: !Ref Name
      B: !GetAtt Role.Arn
      C: !Sub "${Name}-${Role.Arn}"
      D: !Join ["-", [a, !Ref Name, !GetAtt [Role, Arn]]]
      E: !Ref Port
      F: [!Ref Name, plain]
`
	resolved := func(body string) map[string]any {
		t.Helper()
		tmpl, err := parseTemplate(body)
		if err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		st := &stack{Name: "s", ID: "id", Region: "eu-west-1", Resources: map[string]*resource{
			"Role": {PhysicalID: "role-1", Attributes: map[string]string{"Arn": "arn:aws:iam::1:role/role-1"}}}}
		got, err := New(nil, "123456789012").resolverFor(st, tmpl, map[string]string{"Name": "web", "Port": "80"}).resolve(tmpl.Resources["Thing"].Properties)
		if err != nil {
			t.Fatal(err)
		}
		return got.(map[string]any)
	}
	l, s := resolved(long), resolved(short)
	if !reflect.DeepEqual(l, s) {
		t.Fatalf("short form resolves differently:\nlong:  %#v\nshort: %#v", l, s)
	}
	if s["A"] != "web" || s["B"] != "arn:aws:iam::1:role/role-1" || s["D"] != "a-web-arn:aws:iam::1:role/role-1" {
		t.Fatalf("resolved: %#v", s)
	}
}

// TestShortFormRefIsADependency: a resource referenced with !Ref is
// provisioned first and checked to exist, as with Ref:.
func TestShortFormRefIsADependency(t *testing.T) {
	_, err := parseTemplate("Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: !Ref Nope\n")
	if err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Fatalf("a !Ref to nothing: %v", err)
	}
	tmpl, err := parseTemplate("Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: !GetAtt B.Arn\n  B:\n    Type: AWS::IAM::Role\n")
	if err != nil {
		t.Fatal(err)
	}
	if deps := tmpl.dependencies("A"); len(deps) != 1 || deps[0] != "B" {
		t.Fatalf("dependencies of A: %v", deps)
	}
}

func TestShortFormErrorsAreNamed(t *testing.T) {
	cases := map[string]string{
		"unknown tag":           "!Frobnicate",
		"GetAtt without dot":    "!GetAtt Role",
		"unevaluated function":  "!Select [0, [a, b]]",
		"unevaluated long form": `{"Fn::Base64": abc}`,
	}
	for name, value := range cases {
		t.Run(name, func(t *testing.T) {
			body := "Resources:\n  Role:\n    Type: AWS::IAM::Role\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      X: " + value + "\n"
			tmpl, err := parseTemplate(body)
			if err == nil {
				st := &stack{Name: "s", ID: "id", Region: "eu-west-1", Resources: map[string]*resource{"Role": {PhysicalID: "r"}}}
				_, err = New(nil, "123456789012").resolverFor(st, tmpl, nil).resolve(tmpl.Resources["A"].Properties)
			}
			if err == nil || !strings.HasPrefix(err.Error(), "Template") {
				t.Fatalf("%s: want a template error, got %v", value, err)
			}
		})
	}
}
