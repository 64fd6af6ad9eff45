package exitcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestOf(t *testing.T) {
	var problems Problems
	problems.Add("image", 0, "missing")
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"plain", errors.New("boom"), Failed},
		{"invalid", Invalidf("bad %s", "x"), Invalid},
		{"timed out", TimedOutf("late"), TimedOut},
		{"failed", Failedf("no"), Failed},
		{"problems", problems.Err(), Invalid},
		{"wrapped problems", fmt.Errorf("spec: %w", problems.Err()), Invalid},
		{"api", &smithy.GenericAPIError{Code: "ClientException", Message: "TaskDefinition not found."}, AWS},
		{"wrapped api", fmt.Errorf("update: %w", &smithy.GenericAPIError{Code: "X"}), AWS},
		{"deadline", fmt.Errorf("wait: %w", context.DeadlineExceeded), TimedOut},
		{"connection kept failing", fmt.Errorf("list: %w", &smithyhttp.RequestSendError{Err: io.EOF}), AWS},
		{"explicit beats api", With(Failed, &smithy.GenericAPIError{Code: "X"}), Failed},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestProblemsSortedAndJoined(t *testing.T) {
	var ps Problems
	if ps.Err() != nil {
		t.Fatal("empty Problems must be a nil error")
	}
	ps.Add("service", 7, "is required")
	ps.Add("cluster", 3, "is required")
	ps.Add("--image", 0, "container %q not found", "web")
	err := ps.Err()
	msg := err.Error()
	want := "invalid input (3 problems):\n  - --image: container \"web\" not found\n  - line 3: cluster: is required\n  - line 7: service: is required"
	if msg != want {
		t.Fatalf("message:\n%s\nwant:\n%s", msg, want)
	}
	var one Problems
	one.Extend(errors.New("plain"))
	if !strings.HasPrefix(one.Err().Error(), "invalid input: plain") {
		t.Fatalf("single problem message = %q", one.Err().Error())
	}
	var merged Problems
	merged.Extend(err)
	if len(merged) != 3 {
		t.Fatalf("Extend kept %d problems, want 3", len(merged))
	}
}

// A problem names the origin of its value: a flag as typed, or FILE:LINE
// and the field's path; a request field without a recorded origin is named
// as the request names it.
func TestProblemsAtOrigins(t *testing.T) {
	var ps Problems
	ps.At(FileOrigin("deploy.yaml", "images[1]", 5), "container %q is given an image more than once", "web")
	ps.At(FlagOrigin("image", "web=b"), "container %q is given an image more than once", "web")
	var os Origins
	os = os.Set("templateFamily", FlagOrigin("--template-family"))
	ps.At(os.Of("templateFamily"), "not found")
	ps.At(os.Of("family"), "not found")
	want := "invalid input (4 problems):\n" +
		"  - --image web=b: container \"web\" is given an image more than once\n" +
		"  - --template-family: not found\n" +
		"  - family: not found\n" +
		"  - deploy.yaml:5: images[1]: container \"web\" is given an image more than once"
	if got := ps.Err().Error(); got != want {
		t.Fatalf("message:\n%s\nwant:\n%s", got, want)
	}
	for o, want := range map[Origin]string{
		FlagOrigin("-i"): "-i", FileOrigin("d.yaml", "cluster", 2): "d.yaml:2", {Field: "x", Line: 3}: "line 3",
		FileOrigin("d.yaml", "cluster", 0): "d.yaml cluster", FieldOrigin("toRevision"): "toRevision",
	} {
		if got := o.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", o, got, want)
		}
	}
}
