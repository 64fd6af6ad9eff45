package emulator

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

func (x *ecsCall) arn(resource string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s", x.rc.Region, x.rc.AccountID, resource)
}

func (x *ecsCall) clusterARN(name string) string { return x.arn("cluster/" + name) }

func (x *ecsCall) serviceARN(clusterName, name string) string {
	return x.arn("service/" + clusterName + "/" + name)
}

func (x *ecsCall) taskARN(clusterName, id string) string {
	return x.arn("task/" + clusterName + "/" + id)
}

func (x *ecsCall) taskDefARN(family string, rev int) string {
	return x.arn(fmt.Sprintf("task-definition/%s:%d", family, rev))
}

var namePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`) })

// lastSegment returns the part of an ARN after its last '/', or the value
// itself when it is a plain name or id.
func lastSegment(v string) string {
	if strings.HasPrefix(v, "arn:") {
		if i := strings.LastIndex(v, "/"); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

// clusterNameOf resolves a cluster name or ARN; empty means "default".
func clusterNameOf(v string) string {
	if v == "" {
		return "default"
	}
	if strings.HasPrefix(v, "arn:") {
		if i := strings.Index(v, ":cluster/"); i >= 0 {
			return v[i+len(":cluster/"):]
		}
	}
	return v
}

// cluster returns the ACTIVE cluster named by v, or ClusterNotFoundException.
func (x *ecsCall) cluster(v string) (*cluster, error) {
	c := x.reg.Clusters[clusterNameOf(v)]
	if c == nil || c.Status != "ACTIVE" {
		return nil, Errorf("ClusterNotFoundException", "Cluster not found.")
	}
	return c, nil
}

// parseTaskDefRef splits "family", "family:rev" or an ARN into family and
// revision (0 when absent).
func parseTaskDefRef(ref string) (family string, rev int, ok bool) {
	if strings.HasPrefix(ref, "arn:") {
		i := strings.Index(ref, ":task-definition/")
		if i < 0 {
			return "", 0, false
		}
		ref = ref[i+len(":task-definition/"):]
	}
	family, revStr, hasRev := strings.Cut(ref, ":")
	if !namePattern().MatchString(family) {
		return "", 0, false
	}
	if !hasRev {
		return family, 0, true
	}
	n, err := strconv.Atoi(revStr)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return family, n, true
}
