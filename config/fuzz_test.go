package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary text to Parse, the entry point Load calls: it must
// never panic, every failure must be a list of *Error matching ErrInvalid,
// and every success must be a configuration that validates again and keeps
// the invariants others rely on.
func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("testdata/*.toml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("[server]\npublic_url = \"http://h\"\n[[catalog]]\nid=\"a\"\ntitle=\"t\"\ndir=\".\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.toml", data, "testdata")
		if err != nil {
			if c != nil {
				t.Fatal("config returned with an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			for _, e := range unjoin(err) {
				var ce *Error
				if !errors.As(e, &ce) {
					t.Fatalf("not an *Error: %T %v", e, e)
				}
				if ce.File != "fuzz.toml" || ce.Msg == "" {
					t.Fatalf("incomplete error %#v", ce)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("loaded config does not validate again: %v", err)
		}
		if len(c.Catalogs) == 0 || c.Server.PublicURL == "" {
			t.Fatal("config without catalog or public_url")
		}
		for _, cat := range c.Catalogs {
			if !slugRe.MatchString(cat.ID) || (cat.URL == "") == (cat.Dir == "") ||
				cat.PageSize < 1 || cat.PageSize > MaxPageSize || cat.Every < MinEvery || cat.Timeout <= 0 {
				t.Fatalf("invalid catalog accepted: %+v", cat)
			}
			if c.Catalog(cat.ID) == nil {
				t.Fatalf("catalog %q not found by id", cat.ID)
			}
		}
		for _, o := range c.Organizations {
			if !datagouvIDRe.MatchString(o.DatagouvID) || (o.Mode != ModeHarvest && o.Mode != ModePush) {
				t.Fatalf("invalid organization accepted: %+v", o)
			}
			for _, s := range o.Sources {
				if c.Catalog(s.Catalog) == nil {
					t.Fatalf("source on unknown catalog %q", s.Catalog)
				}
				for _, p := range s.Producers {
					if p == Wildcard {
						continue
					}
					slug, _, ok := c.Producers.Resolve(p)
					if !ok {
						t.Fatalf("claimed producer %q does not resolve", p)
					}
					// A claimed producer leads to the organization claiming it.
					if got := c.OrganizationFor(s.Catalog, []string{slug}); got == nil || got.ID != o.ID {
						t.Fatalf("producer %q of %q: OrganizationFor gives %v, want %q", p, s.Catalog, got, o.ID)
					}
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.Setenv("PASSERELLE_TEST_TOKEN", testToken)
	data, err := os.ReadFile("testdata/full.good.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("full.good.toml", data, "testdata"); err != nil {
			b.Fatal(err)
		}
	}
}
