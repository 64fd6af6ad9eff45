package imageref

import "testing"

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:2024-01-01_abc"); err != nil {
			b.Fatal(err)
		}
	}
}
