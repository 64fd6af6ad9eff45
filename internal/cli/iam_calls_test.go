package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
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

// iamPolicyCoversRecordedCalls runs from TestMain once every test has run,
// and checks the table of iampolicy.Commands both ways: every API call a
// command made in this package's tests must be in its entry, and every
// action its entry lists must have been called by one of its tests, unless
// iampolicy.Implied says why no call of ours shows it. Each problem names
// the entry to change. It returns the problems and how many (command,
// action) pairs it checked.
func iamPolicyCoversRecordedCalls() (problems []string, checked int) {
	recordedCalls.Lock()
	defer recordedCalls.Unlock()
	return checkIAMPolicy(recordedCalls.byCommand, iampolicy.Commands, iampolicy.Aliases)
}

// checkIAMPolicy is iamPolicyCoversRecordedCalls on given recordings and
// tables.
func checkIAMPolicy(byCommand map[string]map[string]bool, table map[string][]string, aliases map[string][]string) (problems []string, checked int) {
	const fix = "in iampolicy/iampolicy.go, then put the table `go test ./iampolicy` prints into docs/iam.md"
	var commands []string
	for c := range byCommand {
		commands = append(commands, c)
	}
	sort.Strings(commands)
	called := map[string]map[string]bool{} // command → actions its tests called
	for _, c := range commands {
		var actions []string
		for call := range byCommand[c] {
			action, err := iampolicy.ActionOf(call)
			if err != nil {
				problems = append(problems, fmt.Sprintf("command %q: %v: add the SDK's service id to serviceIDs in iampolicy/iampolicy.go", c, err))
				continue
			}
			actions = append(actions, action)
		}
		sort.Strings(actions)
		if len(actions) == 0 {
			continue
		}
		names := []string{c}
		if a, ok := aliases[c]; ok {
			names = a
		}
		allowed := map[string]bool{}
		known := false
		for _, n := range names {
			entry, ok := table[n]
			known = known || ok
			for _, a := range entry {
				allowed[a] = true
			}
		}
		if !known {
			problems = append(problems, fmt.Sprintf("command %q calls AWS but iampolicy.Commands has no entry for it: add %q: {%s} %s",
				c, c, quoteAll(actions), fix))
			continue
		}
		var missing []string
		for _, a := range actions {
			checked++
			if !allowed[a] {
				missing = append(missing, a)
			}
			if _, alias := aliases[c]; !alias { // an alias's calls are not its commands' own
				if called[c] == nil {
					called[c] = map[string]bool{}
				}
				called[c][a] = true
			}
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("command %q calls %s, which iampolicy.Commands[%q] does not list: add %s to that entry %s",
				c, strings.Join(missing, ", "), names[0], quoteAll(missing), fix))
		}
	}
	// The other way: an entry lists only what its command's tests called.
	// A command no test ran is not judged.
	var entries []string
	for c := range table {
		entries = append(entries, c)
	}
	sort.Strings(entries)
	for _, c := range entries {
		if called[c] == nil {
			continue
		}
		var unused []string
		for _, a := range table[c] {
			_, implied := iampolicy.Implied[c][a]
			_, untested := unexercisedIAMActions[c][a]
			if !called[c][a] && !implied && !untested {
				unused = append(unused, a)
			}
		}
		if len(unused) > 0 {
			problems = append(problems, fmt.Sprintf("iampolicy.Commands[%q] lists %s, which no test of %q called: call it in a command test (through execute), say in iampolicy.Implied why the command needs it without calling it, or remove it from the entry %s",
				c, strings.Join(unused, ", "), c, fix))
		}
	}
	return problems, checked
}

// unexercisedIAMActions are actions commands do call, on paths that no
// command test takes yet; each names the path. The list is meant to
// shrink: a test that takes the path makes the entry unnecessary.
var unexercisedIAMActions = map[string]map[string]string{
	"appspec": {"ecs:DescribeTaskDefinition": "appspec --task-definition reads the revision named"},
	"deploy": {
		"ecs:DescribeServiceRevisions": "--rollback when only the service-deployment history names the revision that ran before",
		"logs:GetLogEvents":            "a fleet wave's migration task with its logs",
	},
	"promote":         {"codedeploy:GetDeploymentConfig": "following the CodeDeploy deployment to the step where its configuration shifts traffic"},
	"revisions prune": {"ecs:DescribeTaskDefinition": "the revision a service ran before, when its deployment history does not name it"},
	"rollback":        {"ecs:ListTaskDefinitions": "the guess: the newest ACTIVE revision older than the current one, when no history names it"},
	"scale":           {"ecs:DescribeTasks": "the watcher reading tasks that stopped while scaling"},
	"stack deploy":    {"cloudformation:ContinueUpdateRollback": "repairing a stack left in UPDATE_ROLLBACK_FAILED"},
	"stack status": {
		"cloudformation:CreateChangeSet":   "stack status -f SPEC: the changes a deploy would make, from a change set",
		"cloudformation:DescribeChangeSet": "stack status -f SPEC: the changes a deploy would make, from a change set",
		"cloudformation:DeleteChangeSet":   "stack status -f SPEC: the change set is deleted afterwards",
		"ecs:DescribeServices":             "stack status of a stack whose service exists",
	},
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// mustWrite writes a test's file, failing the test if it cannot.
func mustWrite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
