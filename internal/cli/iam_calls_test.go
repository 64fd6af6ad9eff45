package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ecsdeploy/ecsdeploy/iampolicy"
)

// recordedCalls are the API calls every command made in this package's
// end-to-end tests, by command path ("deploy", "stack deploy").
var recordedCalls = struct {
	sync.Mutex
	byCommand map[string]map[string]bool
}{byCommand: map[string]map[string]bool{}}

// execute runs a command line as Execute does and records the API calls
// it made under its command path, for iamPolicyCoversRecordedCalls.
func execute(ctx context.Context, d *Deps, args []string) int {
	code := Execute(ctx, d, args)
	cmd, _, err := NewRootCmd(d).Find(args)
	if err != nil || cmd == nil || !cmd.Runnable() {
		return code
	}
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
	return code
}

// iamPolicyCoversRecordedCalls runs from TestMain once every test has run:
// every API call a command made in this package's tests must be allowed by
// the policy iam-policy prints for it. It returns the problems found and how
// many (command, action) pairs it checked.
func iamPolicyCoversRecordedCalls() (problems []string, checked int) {
	recordedCalls.Lock()
	defer recordedCalls.Unlock()
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
			problems = append(problems, fmt.Sprintf("command %q made %d kinds of API call but has no policy: %v", c, len(calls), err))
			continue
		}
		ok := map[string]bool{}
		for _, a := range allowed {
			ok[a] = true
		}
		for call := range calls {
			checked++
			action, err := iampolicy.ActionOf(call)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", c, err))
				continue
			}
			if !ok[action] {
				problems = append(problems, fmt.Sprintf("command %q calls %s, which its IAM policy does not allow (add it in iampolicy.Commands)", c, action))
			}
		}
	}
	return problems, checked
}

// mustWrite writes a test's file, failing the test if it cannot.
func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
