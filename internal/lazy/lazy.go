// Package lazy defers package-level set-up to its first use, so that starting
// ecsdeploy pays only for what the command it runs needs. A regular
// expression such as `[A-Za-z0-9_-]{1,255}` costs hundreds of kilobytes and
// thousands of allocations to compile; compiled in a package variable, every
// run of every command paid for it before main began.
package lazy

import (
	"regexp"
	"sync"
)

// Regexp returns a function that compiles expr on its first call and returns
// the same *regexp.Regexp on every call. Like regexp.MustCompile, it panics
// when expr is not valid: package tests that use the expression catch that.
func Regexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
