package scenario

import (
	"strings"
	"testing"
	"time"
)

func TestHookFor(t *testing.T) {
	s, err := Parse([]byte(`
hooks:
  - match: "smoke-*"
    result: Failed
    after: 30s
  - match: "arn:aws:lambda:*:function:slow"
    after: 2m
`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		fn     string
		result HookResult
		after  time.Duration
	}{
		{"smoke-test", HookFailed, 30 * time.Second},
		{"arn:aws:lambda:us-east-1:000000000000:function:smoke-test:live", HookFailed, 30 * time.Second},
		{"000000000000:function:smoke-x", HookFailed, 30 * time.Second},
		{"arn:aws:lambda:eu-west-1:111111111111:function:slow", HookSucceeded, 2 * time.Minute},
		{"slow", HookSucceeded, DefaultHookDelay}, // the second pattern names an ARN only
		{"other", HookSucceeded, DefaultHookDelay},
	}
	for _, c := range cases {
		h := s.HookFor(c.fn)
		if h.Result != c.result || h.After.D() != c.after {
			t.Errorf("HookFor(%q) = %s after %v, want %s after %v", c.fn, h.Result, h.After.D(), c.result, c.after)
		}
	}
	var none *Scenario
	if h := none.HookFor("x"); h.Result != HookSucceeded || h.After.D() != DefaultHookDelay {
		t.Errorf("nil scenario: %+v", h)
	}
}

func TestHooksValidate(t *testing.T) {
	_, err := Parse([]byte("hooks:\n  - match: ''\n  - match: 'a['\n  - match: x\n    result: Maybe\n"))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"hooks[0].match is required", "hooks[1].match", "hooks[2].result \"Maybe\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestLambdaFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"fn": "fn", "fn:live": "fn", "arn:aws:lambda:us-east-1:1:function:fn": "fn",
		"arn:aws:lambda:us-east-1:1:function:fn:3": "fn", "1:function:fn": "fn",
	} {
		if got := LambdaFunctionName(in); got != want {
			t.Errorf("LambdaFunctionName(%q) = %q, want %q", in, got, want)
		}
	}
}
