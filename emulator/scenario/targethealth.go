package scenario

import "fmt"

// TargetBehaviour is how a container answers its load balancer's health
// checks. It is part of Image; `unhealthyAfter` and `healthyAfter` apply to
// these checks too: between them the application is broken for every kind
// of check.
type TargetBehaviour struct {
	// TargetHealth is what the load balancer's health checks find:
	// healthy, unhealthy (a failing status code) or timeout. Default: the
	// same as Health (an application whose health command fails also fails
	// its load balancer checks), else healthy.
	TargetHealth Health `yaml:"targetHealth,omitempty" json:"targetHealth,omitempty"`
}

// TargetOutcome is the outcome of the load balancer's health checks.
func (im Image) TargetOutcome() Health {
	if im.TargetHealth != "" {
		return im.TargetHealth
	}
	if im.Health != "" {
		return im.Health
	}
	return HealthHealthy
}

// validateTarget checks images[i]'s target fields.
func (im Image) validateTarget(i int) []string {
	var problems []string
	switch im.TargetHealth {
	case "", HealthHealthy, HealthUnhealthy, HealthTimeout:
	default:
		problems = append(problems, fmt.Sprintf("images[%d].targetHealth %q: use healthy, unhealthy or timeout", i, im.TargetHealth))
	}
	if im.HealthyAfter > 0 {
		failing := im.UnhealthyAfter > 0 || im.Health == HealthUnhealthy || im.Health == HealthTimeout ||
			im.TargetHealth == HealthUnhealthy || im.TargetHealth == HealthTimeout
		switch {
		case !failing:
			problems = append(problems, fmt.Sprintf("images[%d].healthyAfter ends failures that never start: "+
				"set health or targetHealth to unhealthy or timeout, or unhealthyAfter", i))
		case im.UnhealthyAfter > 0 && im.HealthyAfter <= im.UnhealthyAfter:
			problems = append(problems, fmt.Sprintf("images[%d].healthyAfter (%s) must come after unhealthyAfter (%s)",
				i, im.HealthyAfter.D(), im.UnhealthyAfter.D()))
		}
	}
	return problems
}
