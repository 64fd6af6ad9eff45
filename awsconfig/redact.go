package awsconfig

import "regexp"

var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)(AKIA|ASIA)[A-Z0-9]{12,}`),
	regexp.MustCompile(`(?i)(signature|x-amz-security-token|aws_secret_access_key|secret[_-]?key|session[_-]?token)([=:]\s*)[^\s,&"]+`),
}

// redact removes access key ids, signatures and secret-looking values from s.
func redact(s string) string {
	s = secretPatterns[0].ReplaceAllString(s, "[REDACTED-KEY]")
	return secretPatterns[1].ReplaceAllString(s, "$1$2[REDACTED]")
}

// Redact is redact for other packages that log text that may hold credentials.
func Redact(s string) string { return redact(s) }
