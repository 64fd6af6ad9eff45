package taskdef

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/ecsdeploy/ecsdeploy/exitcode"
)

// ParseFile reads a task-definition file in any of the forms people have:
//
//   - register input, as `aws ecs register-task-definition --cli-input-json`
//     takes it ({"family": …, "containerDefinitions": […], "tags": […]});
//   - describe output, as `aws ecs describe-task-definition` prints it, with
//     its {"taskDefinition": …, "tags": …} wrapper (tags are taken from the
//     wrapper) or without it.
//
// Read-only describe fields (ReadOnlyFields) are dropped. Any other field
// that RegisterTaskDefinition does not take is an error naming the field,
// as are values of the wrong type and enumeration values the SDK does not
// know; all such problems are reported together as exitcode.Problems whose fields are JSON paths
// ("taskDefinition.containerDefinitions[0].image").
func ParseFile(data []byte) (*ecs.RegisterTaskDefinitionInput, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, exitcode.Invalidf("not valid JSON (is it the right file?): %v", err)
	}
	if dec.More() {
		return nil, exitcode.Invalidf("task definition file holds more than one JSON value")
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, exitcode.Invalidf("task definition file must hold a JSON object, found %s", jsonKind(top))
	}
	var errs exitcode.Problems
	in := &ecs.RegisterTaskDefinitionInput{}
	if inner, wrapped := obj["taskDefinition"].(map[string]any); wrapped {
		for _, key := range sortedKeys(obj) {
			if key != "taskDefinition" && key != "tags" {
				errs.Add(key, 0, "unknown field beside taskDefinition (expected only taskDefinition and tags)")
			}
		}
		if _, has := inner["tags"]; has {
			errs.Add("taskDefinition.tags", 0, "tags belong beside taskDefinition, not inside it")
			delete(inner, "tags")
		}
		dropReadOnly(inner)
		decodeInto(inner, reflect.ValueOf(in).Elem(), "taskDefinition", &errs)
		var tags []types.Tag
		decodeInto(obj["tags"], reflect.ValueOf(&tags).Elem(), "tags", &errs)
		in.Tags = tags
	} else {
		dropReadOnly(obj)
		decodeInto(obj, reflect.ValueOf(in).Elem(), "", &errs)
	}
	if len(errs) == 0 {
		if in.Family == nil || *in.Family == "" {
			errs.Add("family", 0, "required")
		}
		if len(in.ContainerDefinitions) == 0 {
			errs.Add("containerDefinitions", 0, "at least one container is required")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

func dropReadOnly(obj map[string]any) {
	for _, f := range ReadOnlyFields {
		delete(obj, jsonName(f))
	}
}

// ReadFile reads and parses the task-definition file at path (see
// ParseFile). Every problem is reported under field (the flag or spec key
// that named the file) with the file's path, and a JSON path when there is
// one, so that a garbled or binary file is reported with where it is:
// "--task-definition-file td.json: not valid JSON: …".
func ReadFile(path, field string) (*ecs.RegisterTaskDefinitionInput, exitcode.Problems) {
	where := field + " " + path
	data, err := os.ReadFile(path)
	if err != nil {
		var ps exitcode.Problems
		ps.Add(field, 0, "%v", err)
		return nil, ps
	}
	in, err := ParseFile(data)
	if err == nil {
		return in, nil
	}
	var ps exitcode.Problems
	ps.Extend(err)
	for i := range ps {
		if ps[i].Field == "" {
			ps[i].Field = where
		} else {
			ps[i].Field = where + ": " + ps[i].Field
		}
	}
	return nil, ps
}
