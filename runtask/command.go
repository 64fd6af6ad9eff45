package runtask

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CommandOverride replaces one container's command for this run.
type CommandOverride struct {
	Container string
	Command   []string
}

// ParseCommandFlag parses "container=COMMAND". COMMAND is either a JSON
// array of strings (["sh","-c","echo hi"]), passed as it is, or a command
// line split into words the way a POSIX shell would: single and double
// quotes group, a backslash escapes the next character (inside double
// quotes only before \ " $ and `). No expansion of any kind happens. The
// error quotes the value and names no flag or field: the caller reports it
// where the value was given.
func ParseCommandFlag(s string) (CommandOverride, error) {
	name, cmd, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return CommandOverride{}, fmt.Errorf("%q: want container=COMMAND", s)
	}
	words, err := splitCommand(cmd)
	if err != nil {
		return CommandOverride{}, fmt.Errorf("%q: %w", s, err)
	}
	if len(words) == 0 {
		return CommandOverride{}, fmt.Errorf("%q: the command is empty", s)
	}
	return CommandOverride{Container: name, Command: words}, nil
}

func splitCommand(s string) ([]string, error) {
	trimmed := strings.TrimSpace(s)
	if strings.HasPrefix(trimmed, "[") {
		var words []string
		if err := json.Unmarshal([]byte(trimmed), &words); err != nil {
			return nil, fmt.Errorf("a command starting with [ must be a JSON array of strings: %w", err)
		}
		return words, nil
	}
	return SplitWords(s)
}

// SplitWords splits a command line into words like a POSIX shell, without
// any expansion.
func SplitWords(s string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune // 0, '\'' or '"'
		escaped bool
	)
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && !strings.ContainsRune("\\\"$`", r) {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if escaped {
		return nil, fmt.Errorf("a trailing backslash escapes nothing")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
