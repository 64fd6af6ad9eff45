package ecsref

import (
	"slices"
	"sort"
)

// fargateMemory is the ECS task-size table for Fargate: for each task CPU
// value above 256, the memory sizes (MiB) it can be paired with, as a
// range and its step. 256 CPU units take 512, 1024 or 2048 MiB.
var fargateMemory = map[int]struct{ min, max, step int }{
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// FargateMemory returns the memory sizes (MiB) Fargate offers with a task
// CPU value, smallest first; none when Fargate has no such CPU value.
func FargateMemory(cpu int) []int {
	if cpu == 256 {
		return []int{512, 1024, 2048}
	}
	r, ok := fargateMemory[cpu]
	if !ok {
		return nil
	}
	var out []int
	for m := r.min; m <= r.max; m += r.step {
		out = append(out, m)
	}
	return out
}

// FargateCPUs returns the task CPU values Fargate offers, smallest first.
func FargateCPUs() []int {
	cpus := []int{256}
	for c := range fargateMemory {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus
}

// FargateSizeOK reports whether cpu/memory is a task size Fargate offers.
func FargateSizeOK(cpu, memory int) bool {
	return slices.Contains(FargateMemory(cpu), memory)
}
