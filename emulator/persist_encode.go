package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
)

// encodeSaved writes s as JSON, the same document json.Marshal would
// write, but object by object: the big maps (clusters, services, tasks,
// families) are streamed entry by entry, so no buffer ever holds more than
// one task or service.
func encodeSaved(w io.Writer, s *savedState) error {
	head := *s
	head.State = nil
	return writeObject(w, head, member{"state", func(w io.Writer) error {
		return writeObject(w, struct{}{}, member{"regions", func(w io.Writer) error {
			return writeMap(w, s.State.Regions, writeRegion)
		}})
	}})
}

func writeRegion(w io.Writer, r *regionState) error {
	head := *r
	head.Clusters, head.Families = nil, nil
	return writeObject(w, head,
		member{"clusters", func(w io.Writer) error { return writeMap(w, r.Clusters, writeCluster) }},
		member{"families", func(w io.Writer) error { return writeMap(w, r.Families, writeJSON[*family]) }})
}

func writeCluster(w io.Writer, c *cluster) error {
	head := clusterHead(c)
	return writeObject(w, head,
		member{"services", func(w io.Writer) error { return writeMap(w, c.Services, writeJSON[*service]) }},
		member{"tasks", func(w io.Writer) error { return writeMap(w, c.Tasks, writeJSON[*task]) }})
}

// clusterHead is c without its services and tasks (streamed apart).
func clusterHead(c *cluster) *cluster {
	return &cluster{Name: c.Name, ARN: c.ARN, Status: c.Status, Seq: c.Seq, Tags: c.Tags, Settings: c.Settings,
		Configuration: c.Configuration, CapacityProviders: c.CapacityProviders, DefaultStrategy: c.DefaultStrategy,
		Instances: c.Instances, RunTokens: c.RunTokens}
}

// member is one member of an object written by its own function.
type member struct {
	name  string
	write func(io.Writer) error
}

// writeObject writes head (a struct whose streamed members are empty and
// omitted) as a JSON object, with the members appended.
func writeObject(w io.Writer, head any, members ...member) error {
	data, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if len(data) < 2 || data[len(data)-1] != '}' {
		return fmt.Errorf("encode %T: not an object", head)
	}
	if _, err := w.Write(data[:len(data)-1]); err != nil {
		return err
	}
	sep := len(data) > 2 // the head has members of its own
	for _, m := range members {
		if sep {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		sep = true
		name, _ := json.Marshal(m.name)
		if _, err := w.Write(append(name, ':')); err != nil {
			return err
		}
		if err := m.write(w); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "}")
	return err
}

// writeMap writes m as a JSON object, keys in order (as json.Marshal does).
func writeMap[V any](w io.Writer, m map[string]V, write func(io.Writer, V) error) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if _, err := io.WriteString(w, "{"); err != nil {
		return err
	}
	for i, k := range keys {
		name, _ := json.Marshal(k)
		if i > 0 {
			name = slices.Insert(name, 0, ',')
		}
		if _, err := w.Write(append(name, ':')); err != nil {
			return err
		}
		if err := write(w, m[k]); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}")
	return err
}

// writeJSON encodes v straight into w (a newline follows: JSON whitespace).
func writeJSON[V any](w io.Writer, v V) error {
	return json.NewEncoder(w).Encode(v)
}

// marshalState is the saved form of s alone, for tests.
func marshalState(s *state) ([]byte, error) {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	if err := writeMap(bw, s.Regions, writeRegion); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
