package codedeploy

import (
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ecsdeploy/ecsdeploy/emulator"
)

func init() {
	register("CreateDeploymentConfig", (*Service).createDeploymentConfig)
	register("GetDeploymentConfig", (*Service).getDeploymentConfig)
	register("ListDeploymentConfigs", (*Service).listDeploymentConfigs)
	register("DeleteDeploymentConfig", (*Service).deleteDeploymentConfig)
}

// predefined are CodeDeploy's ECS deployment configurations.
var predefined = map[string]*deploymentConfig{
	"CodeDeployDefault.ECSAllAtOnce":                    {Type: "AllAtOnce"},
	"CodeDeployDefault.ECSCanary10Percent5Minutes":      {Type: "TimeBasedCanary", Percent: 10, Interval: 5},
	"CodeDeployDefault.ECSCanary10Percent15Minutes":     {Type: "TimeBasedCanary", Percent: 10, Interval: 15},
	"CodeDeployDefault.ECSLinear10PercentEvery1Minutes": {Type: "TimeBasedLinear", Percent: 10, Interval: 1},
	"CodeDeployDefault.ECSLinear10PercentEvery3Minutes": {Type: "TimeBasedLinear", Percent: 10, Interval: 3},
}

func init() {
	for name, c := range predefined {
		c.Name = name
		c.ID = uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String()
	}
}

// config finds a deployment configuration by name (nil if none).
func (s *Service) config(region, name string) *deploymentConfig {
	if c := predefined[name]; c != nil {
		return c
	}
	return s.st.Configs[key(region, name)]
}

type configInput struct {
	DeploymentConfigName string `json:"deploymentConfigName"`
	ComputePlatform      string `json:"computePlatform"`
	MinimumHealthyHosts  *struct {
		Type  string `json:"type"`
		Value int    `json:"value"`
	} `json:"minimumHealthyHosts"`
	TrafficRoutingConfig *struct {
		Type            string `json:"type"`
		TimeBasedCanary *struct {
			CanaryPercentage int `json:"canaryPercentage"`
			CanaryInterval   int `json:"canaryInterval"`
		} `json:"timeBasedCanary"`
		TimeBasedLinear *struct {
			LinearPercentage int `json:"linearPercentage"`
			LinearInterval   int `json:"linearInterval"`
		} `json:"timeBasedLinear"`
	} `json:"trafficRoutingConfig"`
	NextToken string `json:"nextToken"`
}

// decodeConfigInput decodes the input of an operation on one deployment
// configuration, which must name it.
func decodeConfigInput(body []byte) (configInput, error) {
	var in configInput
	if err := decode(body, &in); err != nil {
		return in, err
	}
	if in.DeploymentConfigName == "" {
		return in, errf("DeploymentConfigNameRequiredException", "Deployment config name is missing")
	}
	return in, nil
}

func (s *Service) createDeploymentConfig(rc *emulator.RequestContext, body []byte) (any, error) {
	in, err := decodeConfigInput(body)
	if err != nil {
		return nil, err
	}
	if len(in.DeploymentConfigName) > 100 {
		return nil, errf("InvalidDeploymentConfigNameException", "Deployment config name is longer than 100 characters")
	}
	if in.ComputePlatform != "ECS" {
		return nil, errf("InvalidComputePlatformException", "The local CodeDeploy serves the ECS compute platform only; set computePlatform to ECS (got %q).", in.ComputePlatform)
	}
	if in.MinimumHealthyHosts != nil {
		return nil, errf("InvalidMinimumHealthyHostValueException", "minimumHealthyHosts is not valid for the ECS compute platform.")
	}
	c := &deploymentConfig{Name: in.DeploymentConfigName, Type: "AllAtOnce", ID: uuid.NewString(), Created: rc.Now}
	if tr := in.TrafficRoutingConfig; tr != nil {
		switch tr.Type {
		case "AllAtOnce", "":
		case "TimeBasedCanary":
			if tr.TimeBasedCanary == nil {
				return nil, errf("InvalidTrafficRoutingConfigurationException", "timeBasedCanary is required for the TimeBasedCanary type.")
			}
			c.Type, c.Percent, c.Interval = tr.Type, tr.TimeBasedCanary.CanaryPercentage, tr.TimeBasedCanary.CanaryInterval
		case "TimeBasedLinear":
			if tr.TimeBasedLinear == nil {
				return nil, errf("InvalidTrafficRoutingConfigurationException", "timeBasedLinear is required for the TimeBasedLinear type.")
			}
			c.Type, c.Percent, c.Interval = tr.Type, tr.TimeBasedLinear.LinearPercentage, tr.TimeBasedLinear.LinearInterval
		default:
			return nil, errf("InvalidTrafficRoutingConfigurationException", "trafficRoutingConfig.type must be AllAtOnce, TimeBasedCanary or TimeBasedLinear.")
		}
		if c.Type != "AllAtOnce" && (c.Percent < 1 || c.Percent > 99 || c.Interval < 1) {
			return nil, errf("InvalidTrafficRoutingConfigurationException", "The percentage must be between 1 and 99 and the interval at least 1 minute.")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.config(rc.Region, c.Name) != nil {
		return nil, errf("DeploymentConfigAlreadyExistsException", "A deployment configuration with the name %s already exists.", c.Name)
	}
	s.st.Configs[key(rc.Region, c.Name)] = c
	return map[string]any{"deploymentConfigId": c.ID}, nil
}

func (s *Service) getDeploymentConfig(rc *emulator.RequestContext, body []byte) (any, error) {
	in, err := decodeConfigInput(body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.config(rc.Region, in.DeploymentConfigName)
	if c == nil {
		return nil, errf("DeploymentConfigDoesNotExistException", "No deployment configuration found for name: %s", in.DeploymentConfigName)
	}
	return map[string]any{"deploymentConfigInfo": configInfo(c)}, nil
}

func configInfo(c *deploymentConfig) map[string]any {
	tr := map[string]any{"type": c.Type}
	switch c.Type {
	case "TimeBasedCanary":
		tr["timeBasedCanary"] = map[string]int{"canaryPercentage": c.Percent, "canaryInterval": c.Interval}
	case "TimeBasedLinear":
		tr["timeBasedLinear"] = map[string]int{"linearPercentage": c.Percent, "linearInterval": c.Interval}
	}
	out := map[string]any{"deploymentConfigId": c.ID, "deploymentConfigName": c.Name, "computePlatform": "ECS",
		"trafficRoutingConfig": tr}
	if !c.Created.IsZero() {
		out["createTime"] = epochOf(c.Created)
	}
	return out
}

func (s *Service) listDeploymentConfigs(rc *emulator.RequestContext, body []byte) (any, error) {
	var in configInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range predefined {
		names = append(names, n)
	}
	prefix := rc.Region + "/"
	for k, c := range s.st.Configs {
		if strings.HasPrefix(k, prefix) {
			names = append(names, c.Name)
		}
	}
	sort.Strings(names)
	return map[string]any{"deploymentConfigsList": names}, nil
}

func (s *Service) deleteDeploymentConfig(rc *emulator.RequestContext, body []byte) (any, error) {
	in, err := decodeConfigInput(body)
	if err != nil {
		return nil, err
	}
	if predefined[in.DeploymentConfigName] != nil {
		return nil, errf("InvalidOperationException", "The predefined deployment configuration %s cannot be deleted.", in.DeploymentConfigName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, app := range s.st.Apps {
		for _, g := range app.Groups {
			if app.Region == rc.Region && g.Config == in.DeploymentConfigName {
				return nil, errf("DeploymentConfigInUseException", "The deployment configuration %s is used by deployment group %s.", in.DeploymentConfigName, g.Name)
			}
		}
	}
	delete(s.st.Configs, key(rc.Region, in.DeploymentConfigName))
	return nil, nil
}

// shiftPlan is the share of production traffic on the replacement after
// each step of c, and the wait after each step but the last.
func (c *deploymentConfig) steps() (percents []int, wait time.Duration) {
	wait = time.Duration(c.Interval) * time.Minute
	switch c.Type {
	case "TimeBasedCanary":
		return []int{c.Percent, 100}, wait
	case "TimeBasedLinear":
		for p := c.Percent; p < 100; p += c.Percent {
			percents = append(percents, p)
		}
		return append(percents, 100), wait
	}
	return []int{100}, 0
}
