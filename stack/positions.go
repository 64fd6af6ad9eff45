package stack

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// positions maps field paths of a YAML document ("containers[1].image") to
// the line they are written on, so that validation problems found after
// decoding still point at the spec's line.
type positions map[string]int

func positionsOf(data []byte) positions {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return positions{}
	}
	p := positions{}
	p.walk("", doc.Content[0])
	return p
}

func (p positions) walk(path string, n *yaml.Node) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if _, seen := p[path]; !seen {
		p[path] = n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			child := key.Value
			if path != "" {
				child = path + "." + key.Value
			}
			p[child] = key.Line
			p.walk(child, value)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p.walk(path+"["+strconv.Itoa(i)+"]", item)
		}
	}
}

// line returns the line of path, or of its nearest written ancestor when the
// field itself is absent (a missing required field points at its parent).
func (p positions) line(path string) int {
	for {
		if l, ok := p[path]; ok {
			return l
		}
		if path == "" {
			return 0
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			path = ""
		} else {
			path = path[:cut]
		}
	}
}
