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
