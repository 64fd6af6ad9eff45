package emulator

import (
	"strconv"
	"strings"
)

// parseTaskCPU reads a task-level cpu: units ("256") or vCPUs ("1 vCPU", "0.5 vcpu").
func parseTaskCPU(v string) (int, bool) { return parseTaskSize(v, "vcpu") }

// parseTaskMemory reads a task-level memory: MiB ("512") or GB ("1GB", "0.5 gb").
func parseTaskMemory(v string) (int, bool) { return parseTaskSize(v, "gb") }

// parseTaskSize reads a task-level size: a whole number of units, or a
// number of the larger unit named by suffix (lower case), worth 1024 units.
// Empty is 0 and valid.
func parseTaskSize(v, suffix string) (int, bool) {
	s := strings.ToLower(strings.TrimSpace(v))
	if s == "" {
		return 0, true
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	if num, ok := strings.CutSuffix(s, suffix); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || f <= 0 {
			return 0, false
		}
		return int(f * 1024), true
	}
	return 0, false
}
