package config

import (
	"fmt"
	"strings"
)

// expandEnv replaces every ${NAME} in s with the value of the environment
// variable NAME, as returned by lookup. "$${" writes a literal "${"; any
// other "$" is kept as written. It returns the expanded text and one message
// per problem: an unset variable (named), an invalid name, a "${" never
// closed.
func expandEnv(s string, lookup func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b    strings.Builder
		errs []string
	)
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 2
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			// The value is not quoted back: it may hold a secret.
			errs = append(errs, `unterminated "${" (write "$${" for a literal "${")`)
			b.WriteString(s[i:])
			break
		}
		name := s[i+2 : i+2+end]
		i += 2 + end
		if !validEnvName(name) {
			errs = append(errs, fmt.Sprintf(`invalid environment variable name %q in "${%s}"`, name, name))
			continue
		}
		v, ok := lookup(name)
		if !ok {
			errs = append(errs, fmt.Sprintf("environment variable %s is not set", name))
			continue
		}
		b.WriteString(v)
	}
	return b.String(), errs
}

// hasEnvRef reports whether s holds at least one ${NAME} reference (an
// escaped "$${" does not count).
func hasEnvRef(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "$${") {
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 && validEnvName(s[i+2:i+2+end]) {
				return true
			}
		}
	}
	return false
}

func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
