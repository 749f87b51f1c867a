// Package vocabnorm normalises vocabulary labels the same way at generation
// time (dcat/internal/gen) and at mapping time (dcat), so generated keys and
// record keywords meet.
package vocabnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Label folds a label for lookup: NFC, lower case, trimmed, runs of
// whitespace collapsed, dashes (—, –, -) and apostrophes (’, ') unified.
func Label(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case '—', '–', '‐', '‑':
			r = '-'
		case '’', 'ʼ', '‘':
			r = '\''
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
