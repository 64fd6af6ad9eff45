package spec

import (
	"fmt"
	"reflect"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/vars"
)

// Node keeps a part of a document undecoded, variables unsubstituted, for
// a caller that decodes it later with its own variables (a fleet file's
// targets each have theirs). Decode records where it was written.
type Node struct {
	Node *yaml.Node
	Path string
}

func (r *Node) decodeNode(_ *decoder, n *yaml.Node, path string) {
	r.Node, r.Path = n, path
}

// DecodeNode decodes one node of a document into into, as Decode decodes a
// whole one: variables substituted from r, every problem reported with its
// line and with path as the prefix of its field path.
func DecodeNode(n Node, r vars.Resolver, into any) error {
	v := reflect.ValueOf(into)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("spec.DecodeNode: into must be a non-nil pointer, got %T", into)
	}
	d := &decoder{r: r, lines: Lines{}}
	if n.Node != nil && !isNull(n.Node) {
		d.decode(n.Node, v.Elem(), n.Path)
	}
	if ls, ok := into.(LineSetter); ok {
		ls.SetLines(d.lines)
	}
	if rs, ok := into.(reportedSetter); ok {
		rs.setReported(d.probs)
	}
	return d.probs.Err()
}

// Field returns the value node of key in a mapping node, or nil.
func (r Node) Field(key string) Node {
	if r.Node == nil || r.Node.Kind != yaml.MappingNode {
		return Node{}
	}
	for i := 0; i+1 < len(r.Node.Content); i += 2 {
		if r.Node.Content[i].Value == key {
			return Node{Node: r.Node.Content[i+1], Path: join(r.Path, key)}
		}
	}
	return Node{}
}
