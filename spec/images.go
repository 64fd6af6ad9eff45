package spec

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/ecsdeploy/ecsdeploy/taskdef"
)

// decodeNode reads images written as a map (container: image) or as a list
// of "container=image", "image", or {container: NAME, image: REF} items.
func (im *Images) decodeNode(d *decoder, n *yaml.Node, path string) {
	switch {
	case isNull(n):
		return
	case n.Kind == yaml.MappingNode:
		seen := map[string]bool{}
		for _, kv := range d.pairs(n, path) {
			container, ok := d.expand(kv.key, join(path, kv.key.Value), kv.key.Value)
			if !ok {
				continue
			}
			fp := join(path, container)
			d.noteLine(fp, kv.key)
			if seen[container] {
				d.problem(kv.key, fp, "container given more than once")
				continue
			}
			seen[container] = true
			d.commentedValue(kv, fp)
			v, ok := d.resolve(kv.value, fp)
			if !ok {
				continue
			}
			image, ok := d.scalar(v, fp)
			if !ok {
				continue
			}
			*im = append(*im, taskdef.ImageChange{Container: container, Image: image})
		}
	case n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			fp := fmt.Sprintf("%s[%d]", path, i)
			item, ok := d.resolve(item, fp)
			if !ok {
				continue
			}
			d.noteLine(fp, item)
			if item.Kind == yaml.MappingNode {
				var entry struct {
					Container string `yaml:"container"`
					Image     string `yaml:"image"`
				}
				d.decode(item, reflectValueOf(&entry), fp)
				*im = append(*im, taskdef.ImageChange{Container: entry.Container, Image: entry.Image})
				continue
			}
			s, ok := d.scalar(item, fp)
			if !ok {
				continue
			}
			ic, err := taskdef.ParseImageFlag(s)
			if err != nil {
				d.problem(item, fp, "%v", err)
				continue
			}
			*im = append(*im, ic)
		}
	default:
		d.problem(n, path, "expected a map of container to image, or a list, found %s", kindName(n))
	}
}
