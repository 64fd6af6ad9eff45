package emulator

import (
	"strconv"
	"strings"
)

// fargateMemoryFor lists the memory sizes (MiB) Fargate accepts for a task
// CPU value, from the ECS task-size table.
func fargateMemoryFor(cpu int) []int {
	gb := func(from, to, step int) []int {
		var out []int
		for m := from; m <= to; m += step {
			out = append(out, m*1024)
		}
		return out
	}
	switch cpu {
	case 256:
		return []int{512, 1024, 2048}
	case 512:
		return gb(1, 4, 1)
	case 1024:
		return gb(2, 8, 1)
	case 2048:
		return gb(4, 16, 1)
	case 4096:
		return gb(8, 30, 1)
	case 8192:
		return gb(16, 60, 4)
	case 16384:
		return gb(32, 120, 8)
	}
	return nil
}

// fargateSizeValid reports whether cpu/memory is a Fargate task size.
func fargateSizeValid(cpu, memory int) bool {
	for _, m := range fargateMemoryFor(cpu) {
		if m == memory {
			return true
		}
	}
	return false
}

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
