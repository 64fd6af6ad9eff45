package taskdef

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParseFile checks that ParseFile never panics, and that what it accepts
// renders (with the wire names Diff uses) to JSON that reads back the same.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(describeOutput))
	f.Add([]byte(`{"family":"a","containerDefinitions":[{"name":"x","image":"y","cpu":0,"memory":512}]}`))
	f.Add([]byte(`{"taskDefinition":{"family":"a","containerDefinitions":[{"name":"x"}]},"tags":[{"key":"k","value":"v"}]}`))
	f.Add([]byte(`{"family":"a","containerDefinitions":[{"name":"x","ulimits":[{"name":"nofile","softLimit":1,"hardLimit":2}]}],"volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1","transitEncryptionPort":2049}}]}`))
	f.Add([]byte(`{"family":"a","registeredAt":1700000000.5,"containerDefinitions":[{"name":"x","dockerLabels":{"a":"b"}}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"family":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseFile(data)
		if err != nil {
			return
		}
		tree, _ := encodeValue(reflect.ValueOf(in).Elem())
		out, err := json.Marshal(tree)
		if err != nil {
			t.Fatalf("rendering %s: %v", data, err)
		}
		again, err := ParseFile(out)
		if err != nil {
			t.Fatalf("rendering of %s does not read back: %v\n%s", data, err, out)
		}
		if !sameTaskDefinition(in, again) {
			t.Fatalf("read back differently:\n%s", Diff(in, again, DiffOptions{ShowValues: true}))
		}
	})
}
