package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	var b strings.Builder
	b.WriteString("// ===BEGIN ICANN DOMAINS===\n// comment\nfr\ngouv.fr\n*.ck\n!www.ck\nукр\n")
	for i := 0; i < 1000; i++ {
		b.WriteString("t" + strings.Repeat("a", i%7) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + "\n")
	}
	b.WriteString("// ===END ICANN DOMAINS===\n// ===BEGIN PRIVATE DOMAINS===\nblogspot.com\nprivate-only\n")
	path := filepath.Join(t.TempDir(), "psl.dat")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := generate(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"fr":`, `"ck":`, `"укр":`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated source lacks %s", want)
		}
	}
	for _, bad := range []string{`"gouv.fr"`, `"private-only"`, `"www.ck"`, `"//`} {
		if strings.Contains(string(src), bad) {
			t.Errorf("generated source has %s", bad)
		}
	}
	if _, err := generate(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}
