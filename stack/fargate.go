package stack

import (
	"fmt"
	"strings"

	"github.com/ecsdeploy/ecsdeploy/ecsref"
)

// FargateSizeOK reports whether cpu/memory is a task size Fargate offers.
func FargateSizeOK(cpu, memory int) bool { return ecsref.FargateSizeOK(cpu, memory) }

// fargateMemoryHint describes the memory sizes allowed with cpu.
func fargateMemoryHint(cpu int) string {
	if cpu == 256 {
		return "512, 1024 or 2048"
	}
	m := ecsref.FargateMemory(cpu)
	return fmt.Sprintf("%d to %d in steps of %d", m[0], m[len(m)-1], m[1]-m[0])
}

func fargateCPUHint() string {
	var parts []string
	for _, c := range ecsref.FargateCPUs() {
		parts = append(parts, fmt.Sprint(c))
	}
	return strings.Join(parts, ", ")
}
