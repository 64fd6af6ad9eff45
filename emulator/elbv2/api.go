package elbv2

import (
	"net/url"
	"sort"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// handler serves one action.
type handler func(s *Service, rc *emulator.RequestContext, p params) (any, error)

// actions are the ELBv2 actions the local ELBv2 serves.
var actions = map[string]handler{}

// ServeQuery implements emulator.QueryHandler.
func (s *Service) ServeQuery(rc *emulator.RequestContext, action string, values url.Values) (any, error) {
	h := actions[action]
	if h == nil {
		names := make([]string, 0, len(actions))
		for n := range actions {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, emulator.Errorf("InvalidAction", "The local ELBv2 does not support %s; it serves %s.", action, strings.Join(names, ", "))
	}
	return h(s, rc, params{values})
}
