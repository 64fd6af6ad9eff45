package cloudformation

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// shortFormFunctions are the intrinsic functions a YAML template may write
// with a tag (!Sub ...) instead of a key (Fn::Sub: ...). !Ref and !GetAtt
// are handled apart: Ref has no Fn:: prefix and !GetAtt takes "A.B".
var shortFormFunctions = map[string]bool{
	"Base64": true, "Cidr": true, "FindInMap": true, "GetAZs": true, "ImportValue": true,
	"Join": true, "Select": true, "Split": true, "Sub": true, "Transform": true,
	"And": true, "Equals": true, "If": true, "Not": true, "Or": true, "Condition": true,
}

// expandShortForms rewrites the short YAML tags of intrinsic functions in
// place into their long form, which is all the rest of the template code
// knows: a user's own template given to the AWS CLI is sent as written,
// and `!Ref Name` is as common there as `Ref: Name`.
func expandShortForms(n *yaml.Node) error {
	for _, c := range n.Content {
		if err := expandShortForms(c); err != nil {
			return err
		}
	}
	if n.Kind == yaml.AliasNode || !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	key := ""
	switch {
	case name == "Ref" || name == "Condition":
		key = name
	case name == "GetAtt":
		key = "Fn::GetAtt"
		if n.Kind == yaml.ScalarNode {
			resource, attribute, ok := strings.Cut(n.Value, ".")
			if !ok || resource == "" || attribute == "" {
				return fmt.Errorf("Template format error: !GetAtt %q at line %d: want Resource.Attribute", n.Value, n.Line)
			}
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line, Column: n.Column, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: resource},
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: attribute},
			}}
			*n = *wrapInKey(key, seq)
			return nil
		}
	case shortFormFunctions[name]:
		key = "Fn::" + name
	default:
		return fmt.Errorf("Template format error: unknown tag %s at line %d", n.Tag, n.Line)
	}
	value := *n
	switch value.Kind {
	case yaml.ScalarNode:
		value.Tag = "!!str"
	case yaml.SequenceNode:
		value.Tag = "!!seq"
	case yaml.MappingNode:
		value.Tag = "!!map"
	}
	*n = *wrapInKey(key, &value)
	return nil
}

// wrapInKey is the mapping {key: value}.
func wrapInKey(key string, value *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line, Column: value.Column, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, value,
	}}
}
