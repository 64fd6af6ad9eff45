package stack

import (
	"fmt"
	"sort"
	"strings"
)

// fargateMemory lists, for each Fargate task CPU value, the memory sizes
// (MiB) it can be paired with: a range and its step, from the ECS docs.
var fargateMemory = map[int]struct{ min, max, step int }{
	256:   {512, 2048, 512}, // 512, 1024, 2048; 1536 is refused below
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// FargateSizeOK reports whether cpu/memory is a task size Fargate offers.
func FargateSizeOK(cpu, memory int) bool {
	r, ok := fargateMemory[cpu]
	if !ok {
		return false
	}
	if cpu == 256 {
		return memory == 512 || memory == 1024 || memory == 2048
	}
	return memory >= r.min && memory <= r.max && (memory-r.min)%r.step == 0
}

func fargateCPUs() []int {
	cpus := make([]int, 0, len(fargateMemory))
	for c := range fargateMemory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

// fargateMemoryHint describes the memory sizes allowed with cpu.
func fargateMemoryHint(cpu int) string {
	if cpu == 256 {
		return "512, 1024 or 2048"
	}
	r := fargateMemory[cpu]
	return fmt.Sprintf("%d to %d in steps of %d", r.min, r.max, r.step)
}

func fargateCPUHint() string {
	var parts []string
	for _, c := range fargateCPUs() {
		parts = append(parts, fmt.Sprint(c))
	}
	return strings.Join(parts, ", ")
}
