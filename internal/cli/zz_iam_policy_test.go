package cli

import (
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ecsdeploy/ecsdeploy/iampolicy"
)

// recordedCalls are the API calls every command made in this package's
// end-to-end tests, by command path ("deploy", "stack deploy").
var recordedCalls = struct {
	sync.Mutex
	byCommand map[string]map[string]bool
}{byCommand: map[string]map[string]bool{}}

func init() {
	executed = func(cmd *cobra.Command, d *Deps) {
		path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
		recordedCalls.Lock()
		defer recordedCalls.Unlock()
		set := recordedCalls.byCommand[path]
		if set == nil {
			set = map[string]bool{}
			recordedCalls.byCommand[path] = set
		}
		for _, op := range d.Clients.Calls().Operations() {
			set[op] = true
		}
	}
}

// TestZZIAMPolicyCoversRecordedCalls runs after the end-to-end tests of
// this package (files run in name order): every API call a command made
// must be allowed by the policy iam-policy prints for it.
func TestZZIAMPolicyCoversRecordedCalls(t *testing.T) {
	recordedCalls.Lock()
	defer recordedCalls.Unlock()
	total := 0
	var commands []string
	for c := range recordedCalls.byCommand {
		commands = append(commands, c)
	}
	sort.Strings(commands)
	for _, c := range commands {
		calls := recordedCalls.byCommand[c]
		if len(calls) == 0 {
			continue
		}
		allowed, err := iampolicy.Actions(c)
		if err != nil {
			t.Errorf("command %q made %d kinds of API call but has no policy: %v", c, len(calls), err)
			continue
		}
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[a] = true
		}
		for call := range calls {
			total++
			action, err := iampolicy.ActionOf(call)
			if err != nil {
				t.Errorf("%s: %v", c, err)
				continue
			}
			if !ok[action] {
				t.Errorf("command %q calls %s, which its IAM policy does not allow (add it in iampolicy.Commands)", c, action)
			}
		}
	}
	if total == 0 {
		t.Skip("no API call recorded: run this with the package's end-to-end tests")
	}
	t.Logf("%d (command, action) pairs checked over the commands %s", total, strings.Join(commands, ", "))
}
