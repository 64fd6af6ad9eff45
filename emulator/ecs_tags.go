package emulator

import (
	"strings"
)

func init() {
	registerECSOp("TagResource", (*ecsCall).tagResource)
	registerECSOp("UntagResource", (*ecsCall).untagResource)
	registerECSOp("ListTagsForResource", (*ecsCall).listTagsForResource)
}

func validateTags(tags []Tag) error {
	if len(tags) > 50 {
		return invalidParameter("Too many tags: a resource can have at most 50 tags.")
	}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 {
			return invalidParameter("Tag keys must be between 1 and 128 characters.")
		}
		if len(t.Value) > 256 {
			return invalidParameter("Tag values must be at most 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidParameter("Tag keys may not start with the reserved prefix aws:.")
		}
	}
	return nil
}

// mergeTags sets each of add on tags, replacing values of existing keys.
func mergeTags(tags, add []Tag) []Tag {
	out := append([]Tag(nil), tags...)
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].Key == a.Key {
				out[i].Value = a.Value
				replaced = true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// taggable finds the tags of the resource an ARN names.
func (x *ecsCall) taggable(arn string) (*[]Tag, error) {
	notFound := Errorf("ResourceNotFoundException", "The specified resource could not be found.")
	if err := required("resourceArn", arn); err != nil {
		return nil, err
	}
	if !isARN(arn) {
		return nil, invalidParameter("Invalid resourceArn: %s", arn)
	}
	_, resource, ok := strings.Cut(arn, ":"+x.rc.AccountID+":")
	if !ok {
		return nil, notFound
	}
	kind, rest, _ := strings.Cut(resource, "/")
	switch kind {
	case "cluster":
		c := x.reg.Clusters[rest]
		if c == nil || c.Status != "ACTIVE" {
			return nil, Errorf("ClusterNotFoundException", "Cluster not found.")
		}
		return &c.Tags, nil
	case "service":
		cname, sname, _ := strings.Cut(rest, "/")
		if c := x.reg.Clusters[cname]; c != nil {
			if s := c.Services[sname]; s != nil && s.Status != "INACTIVE" {
				return &s.Tags, nil
			}
		}
	case "task":
		cname, id, _ := strings.Cut(rest, "/")
		if c := x.reg.Clusters[cname]; c != nil {
			if t := c.Tasks[id]; t != nil {
				return &t.Tags, nil
			}
		}
	case "task-definition":
		if td := x.findTaskDef(rest); td != nil {
			return &td.Tags, nil
		}
	}
	return nil, notFound
}

type tagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	Tags        []Tag    `json:"tags"`
	TagKeys     []string `json:"tagKeys"`
}

// tagRequest decodes a tagging call and finds the tags of the resource it names.
func (x *ecsCall) tagRequest(body []byte) (*tagResourceInput, *[]Tag, error) {
	in, err := ecsDecode[tagResourceInput](body)
	if err != nil {
		return nil, nil, err
	}
	tags, err := x.taggable(in.ResourceArn)
	if err != nil {
		return nil, nil, err
	}
	return in, tags, nil
}

func (x *ecsCall) tagResource(body []byte) (any, error) {
	in, tags, err := x.tagRequest(body)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, invalidParameter("tags can not be empty.")
	}
	merged := mergeTags(*tags, in.Tags)
	if err := validateTags(merged); err != nil {
		return nil, err
	}
	*tags = merged
	return map[string]any{}, nil
}

func (x *ecsCall) untagResource(body []byte) (any, error) {
	in, tags, err := x.tagRequest(body)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, invalidParameter("tagKeys can not be empty.")
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	var kept []Tag
	for _, t := range *tags {
		if !drop[t.Key] {
			kept = append(kept, t)
		}
	}
	*tags = kept
	return map[string]any{}, nil
}

func (x *ecsCall) listTagsForResource(body []byte) (any, error) {
	_, tags, err := x.tagRequest(body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tags": tagsOut(*tags)}, nil
}
