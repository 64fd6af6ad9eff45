package emulator

import (
	"strconv"
	"time"
)

// epoch is a timestamp on the wire: epoch seconds with a millisecond
// fraction, as ECS sends them (1661210032.602).
type epoch time.Time

// MarshalJSON writes seconds with three decimals.
func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', 3, 64), nil
}

// IsZero lets omitzero drop unset timestamps.
func (t epoch) IsZero() bool { return time.Time(t).IsZero() }

// failure is an entry of an operation's failures list.
type failure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// keyValue is ECS's {name,value} pair.
type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func tagsOut(tags []Tag) []Tag {
	if tags == nil {
		return []Tag{}
	}
	return tags
}
