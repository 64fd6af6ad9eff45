package elbv2

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// hexID is a 16-hex-digit id derived from the state's sequence and a name,
// so that runs are reproducible.
func (s *Service) hexID(parts ...string) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d", s.st.next())
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func (s *Service) arn(region, resource string) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:%s", region, s.accountID, resource)
}

// regionOf returns the region named by an ELBv2 ARN.
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$`) })

// validName checks a load balancer or target group name: at most 32
// letters, digits and hyphens, not starting or ending with a hyphen.
func validName(kind, name string) error {
	if name == "" {
		return validation("A %s name is required (parameter Name)", kind)
	}
	if !namePattern().MatchString(name) {
		return validation("%s name '%s' can have a maximum of 32 characters, can contain only alphanumeric characters and hyphens, and cannot begin or end with a hyphen", kindTitle(kind), name)
	}
	if kind == "load balancer" && strings.HasPrefix(name, "internal-") {
		return validation("Load balancer name '%s' cannot begin with 'internal-'", name)
	}
	return nil
}

func kindTitle(kind string) string {
	if kind == "" {
		return kind
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

func sortStrings(ss []string) { sort.Strings(ss) }
