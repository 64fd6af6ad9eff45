package cloudformation

import "time"

// The reply shapes follow botocore's CloudFormation model; lists are
// <member> elements.

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type xmlParameter struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
	Description string `xml:"Description,omitempty"`
}

type xmlStack struct {
	StackID           string         `xml:"StackId"`
	StackName         string         `xml:"StackName"`
	Description       string         `xml:"Description,omitempty"`
	Parameters        []xmlParameter `xml:"Parameters>member"`
	CreationTime      string         `xml:"CreationTime"`
	LastUpdatedTime   string         `xml:"LastUpdatedTime,omitempty"`
	DeletionTime      string         `xml:"DeletionTime,omitempty"`
	StackStatus       string         `xml:"StackStatus"`
	StackStatusReason string         `xml:"StackStatusReason,omitempty"`
	DisableRollback   bool           `xml:"DisableRollback"`
	Capabilities      []string       `xml:"Capabilities>member"`
	Outputs           []xmlOutput    `xml:"Outputs>member"`
	Tags              []xmlTag       `xml:"Tags>member"`
}

type describeStacksResult struct {
	Stacks []xmlStack `xml:"Stacks>member"`
}

type xmlEvent struct {
	StackID              string `xml:"StackId"`
	EventID              string `xml:"EventId"`
	StackName            string `xml:"StackName"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId"`
	ResourceType         string `xml:"ResourceType"`
	Timestamp            string `xml:"Timestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
	ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
}

type describeStackEventsResult struct {
	StackEvents []xmlEvent `xml:"StackEvents>member"`
	NextToken   string     `xml:"NextToken,omitempty"`
}

type stackIDResult struct {
	StackID string `xml:"StackId"`
}

type createChangeSetResult struct {
	ID      string `xml:"Id"`
	StackID string `xml:"StackId"`
}

type xmlResourceChange struct {
	Action             string `xml:"Action"`
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string `xml:"ResourceType"`
	Replacement        string `xml:"Replacement,omitempty"`
}

type xmlChange struct {
	Type           string            `xml:"Type"`
	ResourceChange xmlResourceChange `xml:"ResourceChange"`
}

type describeChangeSetResult struct {
	ChangeSetName   string         `xml:"ChangeSetName"`
	ChangeSetID     string         `xml:"ChangeSetId"`
	StackID         string         `xml:"StackId"`
	StackName       string         `xml:"StackName"`
	Description     string         `xml:"Description,omitempty"`
	Parameters      []xmlParameter `xml:"Parameters>member"`
	CreationTime    string         `xml:"CreationTime"`
	ExecutionStatus string         `xml:"ExecutionStatus"`
	Status          string         `xml:"Status"`
	StatusReason    string         `xml:"StatusReason,omitempty"`
	Capabilities    []string       `xml:"Capabilities>member"`
	Tags            []xmlTag       `xml:"Tags>member"`
	Changes         []xmlChange    `xml:"Changes>member"`
}

type xmlStackResource struct {
	StackName          string `xml:"StackName"`
	StackID            string `xml:"StackId"`
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId"`
	ResourceType       string `xml:"ResourceType"`
	Timestamp          string `xml:"Timestamp"`
	ResourceStatus     string `xml:"ResourceStatus"`
}

type describeStackResourcesResult struct {
	StackResources []xmlStackResource `xml:"StackResources>member"`
}

type getTemplateResult struct {
	TemplateBody    string   `xml:"TemplateBody"`
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

type empty struct{}
