package imageref

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// looksLikeRegistry applies Docker's rule for the first path component: it is
// a registry host when it contains a '.' or a ':' or is "localhost"; anything
// else is the first component of a Docker Hub repository.
func looksLikeRegistry(s string) bool {
	return strings.ContainsAny(s, ".:") || s == "localhost" || strings.HasPrefix(s, "[")
}

func checkRegistry(s string) error {
	host, port := s, ""
	if strings.HasPrefix(s, "[") {
		// IPv6 literal, e.g. [::1]:5000.
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return fmt.Errorf("registry %q: unclosed '['", s)
		}
		if net.ParseIP(s[1:end]) == nil {
			return fmt.Errorf("registry %q: %q is not an IP address", s, s[1:end])
		}
		host, port = "", s[end+1:]
		if port != "" {
			if !strings.HasPrefix(port, ":") {
				return fmt.Errorf("registry %q: unexpected text after ']'", s)
			}
			port = port[1:]
			if port == "" {
				return fmt.Errorf("registry %q: empty port", s)
			}
		}
	} else if i := strings.IndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i+1:]
		if port == "" {
			return fmt.Errorf("registry %q: empty port", s)
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' {
			return fmt.Errorf("registry %q: port %q is not a number from 1 to 65535", s, port)
		}
	}
	if strings.HasPrefix(s, "[") {
		return nil
	}
	if host == "" {
		return fmt.Errorf("registry %q: empty host", s)
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return fmt.Errorf("registry %q: empty label in host name", s)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("registry %q: host label %q starts or ends with '-'", s, label)
		}
		for _, c := range label {
			if !isAlnum(c) && c != '-' {
				return fmt.Errorf("registry %q: character %q is not allowed in a host name", s, c)
			}
		}
	}
	return nil
}

// checkRepository checks each path component against Docker's grammar:
// lowercase letters and digits, separated by '.', '_', '__' or runs of '-'.
func checkRepository(s string) error {
	if s == "" {
		return fmt.Errorf("empty repository")
	}
	for _, comp := range strings.Split(s, "/") {
		if err := checkComponent(comp); err != nil {
			return fmt.Errorf("repository %q: %w", s, err)
		}
	}
	return nil
}

func checkComponent(c string) error {
	if c == "" {
		return fmt.Errorf("empty path component")
	}
	if !isLowerAlnum(rune(c[0])) || !isLowerAlnum(rune(c[len(c)-1])) {
		return fmt.Errorf("component %q must start and end with a lowercase letter or digit", c)
	}
	for i := 0; i < len(c); {
		ch := rune(c[i])
		switch {
		case isLowerAlnum(ch):
			i++
		case ch == '.':
			if !isLowerAlnum(rune(c[i+1])) {
				return fmt.Errorf("component %q: '.' must be followed by a letter or digit", c)
			}
			i++
		case ch == '_':
			j := i
			for j < len(c) && c[j] == '_' {
				j++
			}
			if j-i > 2 {
				return fmt.Errorf("component %q: at most two '_' in a row", c)
			}
			if !isLowerAlnum(rune(c[j])) {
				return fmt.Errorf("component %q: separators must be followed by a letter or digit", c)
			}
			i = j
		case ch == '-':
			j := i
			for j < len(c) && c[j] == '-' {
				j++
			}
			if !isLowerAlnum(rune(c[j])) {
				return fmt.Errorf("component %q: separators must be followed by a letter or digit", c)
			}
			i = j
		case ch >= 'A' && ch <= 'Z':
			return fmt.Errorf("component %q: repository names must be lowercase", c)
		default:
			return fmt.Errorf("component %q: character %q is not allowed", c, ch)
		}
	}
	return nil
}

func checkTag(t string) error {
	if t == "" {
		return fmt.Errorf("empty tag")
	}
	if len(t) > 128 {
		return fmt.Errorf("tag %q is longer than 128 characters", t)
	}
	if t[0] == '.' || t[0] == '-' {
		return fmt.Errorf("tag %q must not start with '.' or '-'", t)
	}
	for _, c := range t {
		if !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return fmt.Errorf("tag %q: character %q is not allowed", t, c)
		}
	}
	return nil
}

// checkDigest accepts algorithm:hex where the algorithm is made of
// alphanumeric parts joined by '+', '.', '_' or '-' and the hex part is at
// least 32 characters; sha256 must have exactly 64 lowercase hex digits.
func checkDigest(d string) error {
	i := strings.IndexByte(d, ':')
	if i <= 0 || i == len(d)-1 {
		return fmt.Errorf("digest %q must look like sha256:<64 hex digits>", d)
	}
	alg, hex := d[:i], d[i+1:]
	for j, c := range alg {
		sep := c == '+' || c == '.' || c == '_' || c == '-'
		if !(isAlnum(c) || sep) || (sep && (j == 0 || j == len(alg)-1)) {
			return fmt.Errorf("digest %q: invalid algorithm %q", d, alg)
		}
	}
	if len(hex) < 32 {
		return fmt.Errorf("digest %q: the hex part is too short", d)
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return fmt.Errorf("digest %q: %q is not a lowercase hex digit", d, c)
		}
	}
	if alg == "sha256" && len(hex) != 64 {
		return fmt.Errorf("digest %q: sha256 needs 64 hex digits, got %d", d, len(hex))
	}
	return nil
}

func isLowerAlnum(c rune) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
func isAlnum(c rune) bool      { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }
