package elbv2

import (
	"strconv"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	actions["AddTags"] = (*Service).addTags
	actions["RemoveTags"] = (*Service).removeTags
	actions["DescribeTags"] = (*Service).describeTags
}

func itoa(n int) string { return strconv.Itoa(n) }

// parseTags reads key.member.N.Key/Value.
func parseTags(p params, key string) ([]Tag, error) {
	var out []Tag
	seen := map[string]bool{}
	for _, m := range p.members(key) {
		t := Tag{Key: p.str(m + ".Key"), Value: p.str(m + ".Value")}
		if t.Key == "" {
			return nil, validation("A tag key is required (%s.Key)", m)
		}
		if seen[t.Key] {
			return nil, emulator.Errorf("DuplicateTagKeys", "Tag key '%s' is given more than once", t.Key)
		}
		if strings.HasPrefix(t.Key, "aws:") {
			return nil, validation("Tag keys cannot start with 'aws:' ('%s')", t.Key)
		}
		seen[t.Key] = true
		out = append(out, t)
	}
	if len(out) > 50 {
		return nil, emulator.Errorf("TooManyTags", "A resource can have at most 50 tags")
	}
	return out, nil
}

// tagsOfLocked finds the tag list of any ELBv2 resource by ARN.
func (s *Service) tagsOfLocked(arn string) (*[]Tag, error) {
	switch {
	case s.st.LoadBalancers[arn] != nil:
		return &s.st.LoadBalancers[arn].Tags, nil
	case s.st.TargetGroups[arn] != nil:
		return &s.st.TargetGroups[arn].Tags, nil
	case s.st.Listeners[arn] != nil:
		return &s.st.Listeners[arn].Tags, nil
	case s.st.Rules[arn] != nil:
		return &s.st.Rules[arn].Tags, nil
	}
	switch {
	case strings.Contains(arn, ":targetgroup/"):
		return nil, tgNotFound(arn)
	case strings.Contains(arn, ":listener-rule/"):
		return nil, ruleNotFound()
	case strings.Contains(arn, ":listener/"):
		return nil, listenerNotFound()
	}
	return nil, lbNotFound()
}

func (s *Service) addTags(rc *emulator.RequestContext, p params) (any, error) {
	arns := p.strs("ResourceArns")
	if len(arns) == 0 {
		return nil, validation("At least one resource ARN must be specified (parameter ResourceArns)")
	}
	tags, err := parseTags(p, "Tags")
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, validation("At least one tag must be specified (parameter Tags)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range arns {
		if _, err := s.tagsOfLocked(a); err != nil {
			return nil, err
		}
	}
	for _, a := range arns {
		ts, _ := s.tagsOfLocked(a)
		for _, t := range tags {
			replaced := false
			for i := range *ts {
				if (*ts)[i].Key == t.Key {
					(*ts)[i].Value, replaced = t.Value, true
				}
			}
			if !replaced {
				*ts = append(*ts, t)
			}
		}
		if len(*ts) > 50 {
			return nil, emulator.Errorf("TooManyTags", "A resource can have at most 50 tags")
		}
	}
	return empty{}, nil
}

func (s *Service) removeTags(rc *emulator.RequestContext, p params) (any, error) {
	arns, keys := p.strs("ResourceArns"), p.strs("TagKeys")
	if len(arns) == 0 || len(keys) == 0 {
		return nil, validation("ResourceArns and TagKeys are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range arns {
		if _, err := s.tagsOfLocked(a); err != nil {
			return nil, err
		}
	}
	drop := map[string]bool{}
	for _, k := range keys {
		drop[k] = true
	}
	for _, a := range arns {
		ts, _ := s.tagsOfLocked(a)
		kept := (*ts)[:0]
		for _, t := range *ts {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		*ts = kept
	}
	return empty{}, nil
}

func (s *Service) describeTags(rc *emulator.RequestContext, p params) (any, error) {
	arns := p.strs("ResourceArns")
	if len(arns) == 0 {
		return nil, validation("At least one resource ARN must be specified (parameter ResourceArns)")
	}
	if len(arns) > 20 {
		return nil, validation("At most 20 resource ARNs can be described at once")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := tagsResult{}
	out.TagDescriptions.Member = []xmlTagDescription{}
	for _, a := range arns {
		ts, err := s.tagsOfLocked(a)
		if err != nil {
			return nil, err
		}
		out.TagDescriptions.Member = append(out.TagDescriptions.Member, xmlTagDescription{ResourceArn: a, Tags: tagsXML(*ts)})
	}
	return out, nil
}
