package elbv2

import (
	"net/url"
	"strconv"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

// params reads Query-protocol parameters: "Name", "List.member.N",
// "List.member.N.Field".
type params struct{ v url.Values }

func (p params) has(key string) bool { _, ok := p.v[key]; return ok }

func (p params) str(key string) string { return p.v.Get(key) }

// members returns the prefixes "key.member.1" ... up to the last present
// index (the AWS CLI and SDKs number members from 1 without gaps).
func (p params) members(key string) []string {
	var out []string
	for i := 1; ; i++ {
		prefix := key + ".member." + strconv.Itoa(i)
		if !p.hasPrefix(prefix) {
			return out
		}
		out = append(out, prefix)
	}
}

func (p params) hasPrefix(prefix string) bool {
	if p.has(prefix) {
		return true
	}
	for k := range p.v {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix && k[len(prefix)] == '.' {
			return true
		}
	}
	return false
}

// strs returns the values of a list of strings.
func (p params) strs(key string) []string {
	var out []string
	for _, m := range p.members(key) {
		out = append(out, p.str(m))
	}
	return out
}

// integer reads an optional integer; ok is false when it is absent.
func (p params) integer(key string) (n int, ok bool, err error) {
	s := p.str(key)
	if !p.has(key) {
		return 0, false, nil
	}
	n, err = strconv.Atoi(s)
	if err != nil {
		return 0, true, emulator.Errorf("ValidationError", "Value '%s' at '%s' failed to satisfy constraint: Member must be a number", s, key)
	}
	return n, true, nil
}

// boolean reads an optional boolean.
func (p params) boolean(key string) (b bool, ok bool, err error) {
	if !p.has(key) {
		return false, false, nil
	}
	switch p.str(key) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, emulator.Errorf("ValidationError", "Value '%s' at '%s' failed to satisfy constraint: Member must be true or false", p.str(key), key)
}

func validation(format string, args ...any) error {
	return emulator.Errorf("ValidationError", format, args...)
}

// paginate applies PageSize (1..400) and Marker to n items.
// pageOf returns the page of items that p asks for, each as toXML makes
// it, and the marker of the next page.
func pageOf[T, X any](p params, items []T, toXML func(T) X) (list[X], string, error) {
	page, next, err := paginate(p, len(items))
	if err != nil {
		return list[X]{}, "", err
	}
	out := list[X]{Member: make([]X, 0, page[1]-page[0])}
	for _, item := range items[page[0]:page[1]] {
		out.Member = append(out.Member, toXML(item))
	}
	return out, next, nil
}

// byARNs returns the items of m with these ARNs, in their order; one
// missing is the error missing makes of its ARN.
func byARNs[T any](m map[string]*T, arns []string, missing func(arn string) error) ([]*T, error) {
	var out []*T
	for _, a := range arns {
		x := m[a]
		if x == nil {
			return nil, missing(a)
		}
		out = append(out, x)
	}
	return out, nil
}

// byNames returns the items of all with these names, in their order; one
// missing is the error missing makes of its name.
func byNames[T any](all []*T, names []string, nameOf func(*T) string, missing func(name string) error) ([]*T, error) {
	var out []*T
	for _, n := range names {
		var found *T
		for _, x := range all {
			if nameOf(x) == n {
				found = x
			}
		}
		if found == nil {
			return nil, missing(n)
		}
		out = append(out, found)
	}
	return out, nil
}

func paginate(p params, n int) (page [2]int, next string, err error) {
	size, ok, err := p.integer("PageSize")
	if err != nil {
		return page, "", err
	}
	if !ok {
		size = 400
	}
	if size < 1 || size > 400 {
		return page, "", validation("Page size must be between 1 and 400")
	}
	start := 0
	if m := p.str("Marker"); m != "" {
		start, err = strconv.Atoi(m)
		if err != nil || start < 0 || start > n {
			return page, "", validation("The marker '%s' is not valid", m)
		}
	}
	end := min(n, start+size)
	if end < n {
		next = strconv.Itoa(end)
	}
	return [2]int{start, end}, next, nil
}
