package cloudformation

import (
	"net/url"
	"sort"
	"strings"
)

// GetTemplateSummary and ValidateTemplate describe a template without
// creating anything. The AWS CLI's `cloudformation deploy` calls
// GetTemplateSummary before it updates an existing stack, and users check
// their templates with `validate-template`.

type xmlParameterDeclaration struct {
	ParameterKey  string `xml:"ParameterKey"`
	DefaultValue  string `xml:"DefaultValue,omitempty"`
	ParameterType string `xml:"ParameterType"`
	NoEcho        bool   `xml:"NoEcho"`
}

type getTemplateSummaryResult struct {
	Parameters         []xmlParameterDeclaration `xml:"Parameters>member"`
	Description        string                    `xml:"Description,omitempty"`
	Capabilities       []string                  `xml:"Capabilities>member"`
	CapabilitiesReason string                    `xml:"CapabilitiesReason,omitempty"`
	ResourceTypes      []string                  `xml:"ResourceTypes>member"`
	Version            string                    `xml:"Version,omitempty"`
}

type xmlTemplateParameter struct {
	ParameterKey string `xml:"ParameterKey"`
	DefaultValue string `xml:"DefaultValue,omitempty"`
	NoEcho       bool   `xml:"NoEcho"`
}

type validateTemplateResult struct {
	Parameters         []xmlTemplateParameter `xml:"Parameters>member"`
	Description        string                 `xml:"Description,omitempty"`
	Capabilities       []string               `xml:"Capabilities>member"`
	CapabilitiesReason string                 `xml:"CapabilitiesReason,omitempty"`
}

// getTemplateSummary summarises TemplateBody, or the template of the stack
// StackName names.
func (s *Service) getTemplateSummary(region string, params url.Values) (any, error) {
	var t *template
	if name := params.Get("StackName"); name != "" {
		st, err := s.find(region, name, true)
		if err != nil {
			return nil, err
		}
		t = st.Template
	} else {
		var err error
		if t, err = parseTemplateParam(params); err != nil {
			return nil, err
		}
	}
	out := getTemplateSummaryResult{Description: templateDescription(t), Version: templateVersion(t)}
	for _, key := range sortedParameterKeys(t) {
		p := t.Parameters[key]
		d := xmlParameterDeclaration{ParameterKey: key, ParameterType: p.Type}
		if p.Default != nil {
			d.DefaultValue = *p.Default
		}
		out.Parameters = append(out.Parameters, d)
	}
	types := map[string]bool{}
	for _, r := range t.Resources {
		types[r.Type] = true
	}
	for typ := range types {
		out.ResourceTypes = append(out.ResourceTypes, typ)
	}
	sort.Strings(out.ResourceTypes)
	out.Capabilities, out.CapabilitiesReason = neededCapabilities(t)
	return out, nil
}

func (s *Service) validateTemplate(params url.Values) (any, error) {
	t, err := parseTemplateParam(params)
	if err != nil {
		return nil, err
	}
	out := validateTemplateResult{Description: templateDescription(t)}
	for _, key := range sortedParameterKeys(t) {
		p := xmlTemplateParameter{ParameterKey: key}
		if d := t.Parameters[key].Default; d != nil {
			p.DefaultValue = *d
		}
		out.Parameters = append(out.Parameters, p)
	}
	out.Capabilities, out.CapabilitiesReason = neededCapabilities(t)
	return out, nil
}

func sortedParameterKeys(t *template) []string {
	keys := make([]string, 0, len(t.Parameters))
	for k := range t.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// neededCapabilities is what checkCapabilities asks for: IAM resources need
// CAPABILITY_IAM (a named role, CAPABILITY_NAMED_IAM on AWS).
func neededCapabilities(t *template) ([]string, string) {
	var iam []string
	for name, r := range t.Resources {
		if strings.HasPrefix(r.Type, "AWS::IAM::") {
			iam = append(iam, name)
		}
	}
	if len(iam) == 0 {
		return nil, ""
	}
	sort.Strings(iam)
	return []string{"CAPABILITY_IAM"}, "The following resource(s) require capabilities: [" + strings.Join(iam, ", ") + "]"
}

func templateVersion(t *template) string {
	var raw struct {
		Version string `yaml:"AWSTemplateFormatVersion"`
	}
	_ = yamlUnmarshal(t.Body, &raw)
	return raw.Version
}
