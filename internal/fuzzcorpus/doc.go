// Package fuzzcorpus holds a test that keeps every fuzz target of the
// module running on its corpus in the ordinary test run: `go test` runs a
// target's seeds (its f.Add calls and the files under
// testdata/fuzz/<target>), so a target without seeds, or a corpus whose
// target was renamed, would silently test nothing — the crashers kept
// there included.
package fuzzcorpus
