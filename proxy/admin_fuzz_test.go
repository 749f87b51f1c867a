package proxy

import (
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// FuzzTOMLString: whatever the organization or catalog name, the quoted
// value in an onboarding block reads back as that name.
func FuzzTOMLString(f *testing.F) {
	for _, s := range []string{"", "Rennes Métropole", `a "quoted" \\ name`, "tab\there", "line\nbreak", "\x7f\x00\x1f", "\u2028", "<b>&amp;</b>", "'''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("names come from UTF-8 JSON and forms")
		}
		var v struct {
			X string `toml:"x"`
		}
		if _, err := toml.Decode("x = "+tomlString(s)+"\n", &v); err != nil {
			t.Fatalf("%q quoted as %s: %v", s, tomlString(s), err)
		}
		if v.X != s {
			t.Fatalf("%q read back as %q", s, v.X)
		}
	})
}
