package config

import (
	"strconv"
	"strings"
)

// lineIndex maps TOML key paths to the line that defines them. Paths carry
// the position inside arrays of tables: "catalog[1].url",
// "organization[0].source[2].producers", "producers.aliases". BurntSushi/toml
// does not export positions, so the index comes from a light scan of the
// text that knows enough TOML (strings, comments, multi-line arrays and
// strings) to find table headers and "key =" lines. It is only used to put a
// line number on messages: a wrong guess costs a line number, nothing else.
type lineIndex struct {
	at  map[string]int      // indexed path → first line
	occ map[string][]string // generic path (indices removed) → indexed paths, in order
}

// locate returns the line of path or of its closest enclosing table or key,
// 0 when unknown.
func (li *lineIndex) locate(path string) int {
	if li == nil {
		return 0
	}
	for path != "" {
		if n, ok := li.at[path]; ok {
			return n
		}
		path = parentPath(path)
	}
	return 0
}

// parentPath removes the last ".key" or "[n]" of path.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// genericPath removes every "[n]" from path.
func genericPath(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			j := strings.IndexByte(path[i:], ']')
			if j > 0 {
				i += j
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

func joinPath(base string, parts ...string) string {
	for _, p := range parts {
		if base == "" {
			base = p
		} else {
			base += "." + p
		}
	}
	return base
}

// scanner state for string and bracket tracking across lines.
type tomlScan struct {
	str   byte // 0, '"', '\'', 'D' (""" string) or 'L' (''' string)
	depth int  // open [ and { of a value
}

// value consumes s (the part of a line holding a value) and updates the
// string and bracket state.
func (st *tomlScan) value(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch st.str {
		case '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				st.str = 0
			}
			continue
		case '\'':
			if c == '\'' {
				st.str = 0
			}
			continue
		case 'D':
			if c == '\\' {
				i++
			} else if strings.HasPrefix(s[i:], `"""`) {
				st.str = 0
				i += 2
			}
			continue
		case 'L':
			if strings.HasPrefix(s[i:], `'''`) {
				st.str = 0
				i += 2
			}
			continue
		}
		switch c {
		case '#':
			return
		case '"':
			if strings.HasPrefix(s[i:], `"""`) {
				st.str = 'D'
				i += 2
			} else {
				st.str = '"'
			}
		case '\'':
			if strings.HasPrefix(s[i:], `'''`) {
				st.str = 'L'
				i += 2
			} else {
				st.str = '\''
			}
		case '[', '{':
			st.depth++
		case ']', '}':
			if st.depth > 0 {
				st.depth--
			}
		}
	}
	// Single-line strings cannot span lines: a broken one ends here.
	if st.str == '"' || st.str == '\'' {
		st.str = 0
	}
}

// parseKey reads a dotted key (bare, "basic" or 'literal' parts) at the start
// of s and returns its parts and what follows it, after spaces.
func parseKey(s string) (parts []string, rest string, ok bool) {
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, "", false
		}
		var part string
		switch s[0] {
		case '"':
			end := -1
			for i := 1; i < len(s); i++ {
				if s[i] == '\\' {
					i++
					continue
				}
				if s[i] == '"' {
					end = i
					break
				}
			}
			if end < 0 {
				return nil, "", false
			}
			if u, err := strconv.Unquote(s[:end+1]); err == nil {
				part = u
			} else {
				part = s[1:end]
			}
			s = s[end+1:]
		case '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return nil, "", false
			}
			part = s[1 : end+1]
			s = s[end+2:]
		default:
			i := 0
			for i < len(s) && isBareKeyChar(s[i]) {
				i++
			}
			if i == 0 {
				return nil, "", false
			}
			part, s = s[:i], s[i:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] != '.' {
			return parts, s, true
		}
		s = s[1:]
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// indexLines scans TOML text; see lineIndex.
func indexLines(data []byte) *lineIndex {
	li := &lineIndex{at: map[string]int{}, occ: map[string][]string{}}
	arrays := map[string]int{} // indexed path of an array of tables → count so far
	record := func(path string, line int) {
		if _, ok := li.at[path]; !ok {
			li.at[path] = line
		}
		g := genericPath(path)
		li.occ[g] = append(li.occ[g], path)
	}
	resolve := func(parts []string) string {
		p := ""
		for _, part := range parts {
			p = joinPath(p, part)
			if n, ok := arrays[p]; ok && n > 0 {
				p += "[" + strconv.Itoa(n-1) + "]"
			}
		}
		return p
	}
	var st tomlScan
	current := ""
	for n, line := range strings.Split(string(data), "\n") {
		lineNo := n + 1
		if st.str == 'D' || st.str == 'L' || st.depth > 0 {
			st.value(line)
			continue
		}
		t := strings.TrimLeft(line, " \t\ufeff")
		switch {
		case t == "" || t[0] == '#' || t[0] == '\r':
		case strings.HasPrefix(t, "[["):
			parts, rest, ok := parseKey(t[2:])
			if !ok || !strings.HasPrefix(rest, "]]") {
				continue
			}
			p := joinPath(resolve(parts[:len(parts)-1]), parts[len(parts)-1])
			arrays[p]++
			current = p + "[" + strconv.Itoa(arrays[p]-1) + "]"
			record(current, lineNo)
		case t[0] == '[':
			parts, rest, ok := parseKey(t[1:])
			if !ok || !strings.HasPrefix(rest, "]") {
				continue
			}
			current = resolve(parts)
			record(current, lineNo)
		default:
			parts, rest, ok := parseKey(t)
			if !ok || !strings.HasPrefix(rest, "=") {
				continue
			}
			for i := 1; i < len(parts); i++ {
				if _, seen := li.at[joinPath(current, parts[:i]...)]; !seen {
					li.at[joinPath(current, parts[:i]...)] = lineNo
				}
			}
			record(joinPath(current, parts...), lineNo)
			st.value(rest[1:])
		}
	}
	return li
}
