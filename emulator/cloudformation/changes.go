package cloudformation

import (
	"fmt"
	"sort"
)

// staticProps resolves parameters and pseudo parameters in a resource's
// properties but leaves references to other resources as markers, so two
// templates can be compared before anything is provisioned.
func (s *Service) staticProps(st *stack, t *template, params map[string]string, logical string) map[string]any {
	r := s.resolverFor(st, t, params)
	r.physical = func(name string) (string, bool) { return "{{ref " + name + "}}", true }
	r.attribute = func(name, attr string) (string, bool) { return "{{att " + name + "." + attr + "}}", true }
	v, err := r.resolve(t.Resources[logical].Properties)
	if err != nil {
		return map[string]any{"{{error}}": err.Error()}
	}
	m, _ := v.(map[string]any)
	return m
}

// diff lists what changes from the stack's template and parameters to t
// with params, as a change set shows it.
func (s *Service) diff(st *stack, t *template, params map[string]string) []change {
	var changes []change
	replaced := map[string]bool{}
	modified := map[string]bool{}
	for logical, decl := range t.Resources {
		old, ok := st.Template.Resources[logical]
		switch {
		case !ok:
			changes = append(changes, change{Action: "Add", LogicalID: logical, Type: decl.Type})
			replaced[logical] = true
		case old.Type != decl.Type:
			modified[logical], replaced[logical] = true, true
		default:
			before := s.staticProps(st, st.Template, st.Params, logical)
			after := s.staticProps(st, t, params, logical)
			if !sameJSON(before, after) {
				modified[logical] = true
				replaced[logical] = replacedOnUpdate(decl.Type, before, after)
			}
		}
	}
	// A resource that refers to a replaced one gets the new physical id: it
	// changes too, even when its own properties do not.
	for grew := true; grew; {
		grew = false
		for logical := range t.Resources {
			if modified[logical] || st.Template.Resources[logical].Type == "" {
				continue
			}
			for _, dep := range t.dependencies(logical) {
				if replaced[dep] {
					modified[logical], grew = true, true
					break
				}
			}
		}
	}
	for logical := range modified {
		rep := "False"
		if replaced[logical] {
			rep = "True"
		}
		physical := ""
		if r := st.Resources[logical]; r != nil {
			physical = r.PhysicalID
		}
		changes = append(changes, change{Action: "Modify", LogicalID: logical, PhysicalID: physical, Type: t.Resources[logical].Type, Replacement: rep})
	}
	for logical, decl := range st.Template.Resources {
		if _, ok := t.Resources[logical]; !ok {
			physical := ""
			if r := st.Resources[logical]; r != nil {
				physical = r.PhysicalID
			}
			changes = append(changes, change{Action: "Remove", LogicalID: logical, PhysicalID: physical, Type: decl.Type})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].LogicalID < changes[j].LogicalID })
	return changes
}

func (c change) String() string { return fmt.Sprintf("%s %s", c.Action, c.LogicalID) }
