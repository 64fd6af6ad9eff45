package awsconfig

import (
	"regexp"
	"sync"
)

// Compiled on the first redaction: only -v logs text.
var (
	accessKeyPattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(AKIA|ASIA)[A-Z0-9]{12,}`) })
	secretValuePattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)(signature|x-amz-security-token|aws_secret_access_key|secret[_-]?key|session[_-]?token)([=:]\s*)[^\s,&"]+`)
	})
)

// redact removes access key ids, signatures and secret-looking values from s.
func redact(s string) string {
	s = accessKeyPattern().ReplaceAllString(s, "[REDACTED-KEY]")
	return secretValuePattern().ReplaceAllString(s, "$1$2[REDACTED]")
}

// Redact is redact for other packages that log text that may hold credentials.
func Redact(s string) string { return redact(s) }
