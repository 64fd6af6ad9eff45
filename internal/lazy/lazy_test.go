package lazy

import (
	"testing"
)

func TestRegexpCompilesOnceOnFirstUse(t *testing.T) {
	re := Regexp(`^[a-z]{1,3}$`)
	first := re()
	if !first.MatchString("abc") || first.MatchString("abcd") {
		t.Fatalf("the compiled expression does not match as written: %v", first)
	}
	if re() != first {
		t.Fatal("a second call compiled the expression again")
	}
}

func TestRegexpPanicsOnAnInvalidExpressionAtFirstUse(t *testing.T) {
	re := Regexp(`(`) // building the function must not compile yet
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid expression must panic when first used")
		}
	}()
	re()
}
