package codedeploy

import (
	"context"
	"encoding/xml"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
	"github.com/ecsdeploy/ecsdeploy/emulator"

	"github.com/ecsdeploy/ecsdeploy/emulator/elbv2"
)

// Forward is one target group of a listener's forward action and its weight.
type Forward struct {
	TargetGroupARN string `json:"targetGroupArn"`
	Weight         int    `json:"weight"`
}

// Traffic is what a blue/green deployment needs from the load balancers:
// reading and replacing the weights of a listener's forward action, and
// finding a target group by name. The errors are *emulator.APIError values
// from the load balancer service.
type Traffic interface {
	Forwards(listenerARN string) ([]Forward, error)
	SetForwards(listenerARN string, to []Forward) error
	// TargetGroupByName returns the ARN of the target group named name in
	// region, or false.
	TargetGroupByName(region, name string) (string, bool)
}

// elbTraffic moves traffic through the local ELBv2.
type elbTraffic struct{ svc *elbv2.Service }

// NewELBTraffic returns the Traffic of the local ELBv2 service svc.
func NewELBTraffic(svc *elbv2.Service) Traffic { return elbTraffic{svc} }

func (t elbTraffic) Forwards(listenerARN string) ([]Forward, error) {
	ws, err := t.svc.ForwardWeights(listenerARN)
	if err != nil {
		return nil, err
	}
	out := make([]Forward, len(ws))
	for i, w := range ws {
		out[i] = Forward{TargetGroupARN: w.TargetGroupARN, Weight: w.Weight}
	}
	return out, nil
}

func (t elbTraffic) SetForwards(listenerARN string, to []Forward) error {
	ws := make([]elbv2.WeightedTargetGroup, len(to))
	for i, f := range to {
		ws[i] = elbv2.WeightedTargetGroup{TargetGroupARN: f.TargetGroupARN, Weight: f.Weight}
	}
	return t.svc.SetForwardWeights(listenerARN, ws)
}

// byNamer is the lookup by name the local ELBv2 may offer.
type byNamer interface {
	TargetGroupByName(region, name string) (elbv2.TargetGroup, bool)
}

func (t elbTraffic) TargetGroupByName(region, name string) (string, bool) {
	if n, ok := any(t.svc).(byNamer); ok {
		tg, ok := n.TargetGroupByName(region, name)
		return tg.ARN, ok
	}
	// Without the Go lookup, ask the service as a client would, in-process.
	out, err := t.svc.ServeQuery(&emulator.RequestContext{Ctx: context.Background(), Region: region, Operation: "DescribeTargetGroups", Now: time.Now()},
		"DescribeTargetGroups", url.Values{"Names.member.1": {name}})
	if err != nil {
		return "", false
	}
	data, err := xml.Marshal(out)
	if err != nil {
		return "", false
	}
	m := targetGroupARNElement().FindSubmatch(data)
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}

var targetGroupARNElement = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<TargetGroupArn>([^<]+)</TargetGroupArn>`) })

// targetGroupName is the name in a target group ARN.
func targetGroupName(arn string) string { return ecsref.TargetGroupName(arn) }
