package ecsref

import (
	"slices"
	"testing"
)

func TestFargateMemory(t *testing.T) {
	cases := map[int][]int{
		256:   {512, 1024, 2048},
		512:   {1024, 2048, 3072, 4096},
		8192:  {16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440},
		128:   nil,
		32768: nil,
	}
	for cpu, want := range cases {
		if got := FargateMemory(cpu); !slices.Equal(got, want) {
			t.Errorf("FargateMemory(%d) = %v, want %v", cpu, got, want)
		}
	}
	if got := FargateMemory(4096); len(got) != 23 || got[0] != 8192 || got[22] != 30720 {
		t.Errorf("FargateMemory(4096) = %v, want 8192 to 30720 by 1024", got)
	}
	if got := FargateMemory(16384); len(got) != 12 || got[0] != 32768 || got[11] != 122880 {
		t.Errorf("FargateMemory(16384) = %v, want 32768 to 122880 by 8192", got)
	}
}

func TestFargateCPUsAndSizes(t *testing.T) {
	if got, want := FargateCPUs(), []int{256, 512, 1024, 2048, 4096, 8192, 16384}; !slices.Equal(got, want) {
		t.Errorf("FargateCPUs() = %v, want %v", got, want)
	}
	for _, ok := range [][2]int{{256, 512}, {1024, 3072}, {16384, 65536}} {
		if !FargateSizeOK(ok[0], ok[1]) {
			t.Errorf("FargateSizeOK(%d, %d) = false, want true", ok[0], ok[1])
		}
	}
	for _, bad := range [][2]int{{256, 1536}, {512, 512}, {8192, 18432}, {300, 1024}, {16384, 131072}} {
		if FargateSizeOK(bad[0], bad[1]) {
			t.Errorf("FargateSizeOK(%d, %d) = true, want false", bad[0], bad[1])
		}
	}
}
