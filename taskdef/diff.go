package taskdef

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// DiffOptions tunes Diff.
type DiffOptions struct {
	ShowValues bool   // show plain environment values instead of "***"
	OldName    string // label of the old side in the header; default "current"
	NewName    string // label of the new side; default "new"
	Context    int    // lines of context around changes; 0 means 3
}

// Diff returns a unified diff between normalised renderings of old and new,
// or "" when they are the same. Order does not matter where ECS ignores it
// (containers, volumes, environment, secrets, tags, lists of objects), so
// only real changes show. Plain environment values are masked ("***")
// unless opts.ShowValues; a masked value that changed is marked "(old
// value)" and "(new value)" so the change is still visible. Secrets show
// their valueFrom, which is a reference, not the secret. Either side may be
// nil (everything added or removed).
func Diff(old, new *ecs.RegisterTaskDefinitionInput, opts DiffOptions) string {
	changed := changedEnvValues(old, new)
	a := renderer{showValues: opts.ShowValues, changedEnv: changed, side: "old"}.render(old)
	b := renderer{showValues: opts.ShowValues, changedEnv: changed, side: "new"}.render(new)
	oldName, newName := opts.OldName, opts.NewName
	if oldName == "" {
		oldName = "current"
	}
	if newName == "" {
		newName = "new"
	}
	ctx := opts.Context
	if ctx <= 0 {
		ctx = 3
	}
	return unifiedDiff(a, b, oldName, newName, ctx)
}

// changedEnvValues finds environment variables present on both sides with
// different values, as "container\x00key".
func changedEnvValues(old, new *ecs.RegisterTaskDefinitionInput) map[string]bool {
	out := map[string]bool{}
	if old == nil || new == nil {
		return out
	}
	before := map[string]string{}
	for _, cd := range old.ContainerDefinitions {
		for _, kv := range cd.Environment {
			before[aws.ToString(cd.Name)+"\x00"+aws.ToString(kv.Name)] = aws.ToString(kv.Value)
		}
	}
	for _, cd := range new.ContainerDefinitions {
		for _, kv := range cd.Environment {
			id := aws.ToString(cd.Name) + "\x00" + aws.ToString(kv.Name)
			if v, ok := before[id]; ok && v != aws.ToString(kv.Value) {
				out[id] = true
			}
		}
	}
	return out
}

// unifiedDiff formats the edit script between a and b as a unified diff.
func unifiedDiff(a, b []string, oldName, newName string, context int) string {
	ops := editScript(a, b)
	changed := false
	for _, op := range ops {
		if op.kind != ' ' {
			changed = true
			break
		}
	}
	if !changed {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	// Group operations into hunks: changes plus up to context lines around,
	// merging hunks whose context would touch.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(0, i-context)
		end := i
		for {
			for end < len(ops) && ops[end].kind != ' ' {
				end++
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' && run-end < 2*context+1 {
				run++
			}
			if run < len(ops) && ops[run].kind != ' ' {
				end = run
				continue
			}
			end = min(len(ops), end+context)
			break
		}
		aStart, bStart := ops[start].ai, ops[start].bi
		aLen, bLen := 0, 0
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				aLen++
			}
			if op.kind != '-' {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, op := range ops[start:end] {
			out.WriteByte(op.kind)
			out.WriteString(op.text)
			out.WriteByte('\n')
		}
		i = end
	}
	return out.String()
}

func hunkRange(start, n int) string {
	// Unified diff lines are 1-based; an empty range names the line before.
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

type diffOp struct {
	kind   byte // ' ', '-' or '+'
	text   string
	ai, bi int // positions in a and b before this line
}

// editScript computes a shortest edit script with Myers' algorithm, which
// costs O((N+M)·D) for D differences: cheap for two revisions of one task
// definition, which differ in a few lines.
func editScript(a, b []string) []diffOp {
	n, m := len(a), len(b)
	maxD := n + m
	offset := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		snapshot := make([]int, len(v))
		copy(snapshot, v)
		trace = append(trace, snapshot)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1]
			} else {
				x = v[offset+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[offset+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	// Walk back through the trace to recover the path.
	var rev []diffOp
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[offset+k-1] < vd[offset+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[offset+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, diffOp{kind: ' ', text: a[x], ai: x, bi: y})
		}
		if d > 0 {
			if x == prevX {
				y--
				rev = append(rev, diffOp{kind: '+', text: b[y], ai: x, bi: y})
			} else {
				x--
				rev = append(rev, diffOp{kind: '-', text: a[x], ai: x, bi: y})
			}
		}
	}
	ops := make([]diffOp, len(rev))
	for i := range rev {
		ops[i] = rev[len(rev)-1-i]
	}
	return ops
}
