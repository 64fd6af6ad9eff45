package emulator

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

type describeTaskDefinitionInput struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include"`
}

func (x *ecsCall) describeTaskDefinition(body []byte) (any, error) {
	in, err := ecsDecode[describeTaskDefinitionInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("taskDefinition", in.TaskDefinition); err != nil {
		return nil, err
	}
	td := x.findTaskDef(in.TaskDefinition)
	if td == nil || td.Status == "DELETE_IN_PROGRESS" {
		return nil, clientError("Unable to describe task definition.")
	}
	out := map[string]any{"taskDefinition": taskDefOutput(td)}
	if slices.Contains(in.Include, "TAGS") {
		out["tags"] = tagsOut(td.Tags)
	}
	return out, nil
}

type listTaskDefinitionsInput struct {
	FamilyPrefix string `json:"familyPrefix"`
	Family       string `json:"family"`
	Status       string `json:"status"`
	Sort         string `json:"sort"`
	NextToken    string `json:"nextToken"`
	MaxResults   *int   `json:"maxResults"`
}

// decodeListing decodes a ListTaskDefinitions or ListTaskDefinitionFamilies
// request and the status it lists: ACTIVE when none is given, otherwise one
// of allowed (the two calls allow different ones).
func decodeListing(body []byte, allowed ...string) (*listTaskDefinitionsInput, string, error) {
	in, err := ecsDecode[listTaskDefinitionsInput](body)
	if err != nil {
		return in, "", err
	}
	status := in.Status
	if status == "" {
		status = "ACTIVE"
	}
	if !slices.Contains(allowed, status) {
		last := len(allowed) - 1
		return in, "", invalidParameter("status must be %s or %s.", strings.Join(allowed[:last], ", "), allowed[last])
	}
	return in, status, nil
}

func (x *ecsCall) listTaskDefinitions(body []byte) (any, error) {
	in, status, err := decodeListing(body, "ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")
	if err != nil {
		return nil, err
	}
	if in.Sort != "" && in.Sort != "ASC" && in.Sort != "DESC" {
		return nil, invalidParameter("sort must be ASC or DESC.")
	}
	var tds []*taskDef
	for name, f := range x.reg.Families {
		// Despite its name, ListTaskDefinitions' familyPrefix is the full
		// family name (ListTaskDefinitionFamilies' is a real prefix).
		if in.FamilyPrefix != "" && name != in.FamilyPrefix {
			continue
		}
		for _, td := range f.Revisions {
			if td.Status == status {
				tds = append(tds, td)
			}
		}
	}
	sort.Slice(tds, func(i, j int) bool {
		if tds[i].Family != tds[j].Family {
			return tds[i].Family < tds[j].Family
		}
		return tds[i].Revision < tds[j].Revision
	})
	if in.Sort == "DESC" {
		slices.Reverse(tds)
	}
	return listPage("taskDefinitionArns", arnsOf(tds, func(td *taskDef) string { return td.ARN }), in.NextToken, in.MaxResults, 100)
}

func (x *ecsCall) listTaskDefinitionFamilies(body []byte) (any, error) {
	in, status, err := decodeListing(body, "ACTIVE", "INACTIVE", "ALL")
	if err != nil {
		return nil, err
	}
	var names []string
	for name, f := range x.reg.Families {
		if in.FamilyPrefix != "" && !strings.HasPrefix(name, in.FamilyPrefix) {
			continue
		}
		active := slices.ContainsFunc(f.Revisions, func(td *taskDef) bool { return td.Status == "ACTIVE" })
		if status == "ALL" || (status == "ACTIVE") == active {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return listPage("families", names, in.NextToken, in.MaxResults, 100)
}

func (x *ecsCall) deregisterTaskDefinition(body []byte) (any, error) {
	in, err := ecsDecode[describeTaskDefinitionInput](body)
	if err != nil {
		return nil, err
	}
	if err := required("taskDefinition", in.TaskDefinition); err != nil {
		return nil, err
	}
	if _, rev, ok := parseTaskDefRef(in.TaskDefinition); !ok || rev == 0 {
		return nil, clientError("Invalid revision number. Use family:revision or a task definition ARN.")
	}
	td := x.findTaskDef(in.TaskDefinition)
	if td == nil || td.Status == "DELETE_IN_PROGRESS" {
		return nil, clientError("The specified task definition does not exist.")
	}
	if td.Status == "ACTIVE" {
		td.Status = "INACTIVE"
		td.DeregisteredAt = x.rc.Now
	}
	return map[string]any{"taskDefinition": taskDefOutput(td)}, nil
}

type deleteTaskDefinitionsInput struct {
	TaskDefinitions []string `json:"taskDefinitions"`
}

func (x *ecsCall) deleteTaskDefinitions(body []byte) (any, error) {
	in, err := ecsDecode[deleteTaskDefinitionsInput](body)
	if err != nil {
		return nil, err
	}
	if len(in.TaskDefinitions) == 0 || len(in.TaskDefinitions) > 10 {
		return nil, invalidParameter("taskDefinitions must contain between 1 and 10 items.")
	}
	outs := []map[string]json.RawMessage{}
	fails := []failure{}
	for _, ref := range in.TaskDefinitions {
		_, rev, ok := parseTaskDefRef(ref)
		td := x.findTaskDef(ref)
		switch {
		case !ok || rev == 0:
			fails = append(fails, failure{Arn: ref, Reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again."})
		case td == nil:
			fails = append(fails, failure{Arn: ref, Reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again."})
		case td.Status == "ACTIVE":
			fails = append(fails, failure{Arn: td.ARN, Reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again."})
		default:
			if td.Status != "DELETE_IN_PROGRESS" {
				td.Status = "DELETE_IN_PROGRESS"
				td.DeleteRequestedAt = x.rc.Now
			}
			outs = append(outs, taskDefOutput(td))
		}
	}
	return map[string]any{"taskDefinitions": outs, "failures": fails}, nil
}
