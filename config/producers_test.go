package config

import (
	"testing"

	"github.com/passerelle/passerelle/iso"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadClaims(t testing.TB) *Config {
	t.Helper()
	c, err := Load("testdata/claims.good.toml")
	require.NoError(t, err)
	return c
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name, in      string
		slug, display string
		ok            bool
	}{
		{"plain name", "Région Bretagne", "region-bretagne", "Région Bretagne", true},
		{"trimmed", "  Région Bretagne ", "region-bretagne", "Région Bretagne", true},
		{"alias by exact key", "DDTM 35", "ddtm-d-ille-et-vilaine", "DDTM d'Ille-et-Vilaine", true},
		{"alias by slug", "ddtm-35", "ddtm-d-ille-et-vilaine", "DDTM d'Ille-et-Vilaine", true},
		{"alias other spelling", "d.d.t.m 35", "ddtm-d-ille-et-vilaine", "DDTM d'Ille-et-Vilaine", true},
		{"alias with accents and case", "CONSEIL REGIONAL DE BRETAGNE", "region-bretagne", "Région Bretagne", true},
		{"target itself", "DDTM d'Ille-et-Vilaine", "ddtm-d-ille-et-vilaine", "DDTM d'Ille-et-Vilaine", true},
		{"slug given", "region-bretagne", "region-bretagne", "region-bretagne", true},
		{"ignored placeholder", "-- Nom de l'organisation responsable --", "", "", false},
		{"ignored by slug", "nom de l’organisation responsable", "", "", false},
		{"ignored case", "INCONNU", "", "", false},
		{"empty", "", "", "", false},
		{"blank", "  \t", "", "", false},
		{"punctuation only", "--", "", "", false},
	}
	c := loadClaims(t)
	handBuilt := Producers{Aliases: c.Producers.Aliases, Ignore: c.Producers.Ignore} // no lookup tables: slow path
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []Producers{c.Producers, handBuilt} {
				slug, display, ok := p.Resolve(tt.in)
				assert.Equal(t, tt.ok, ok)
				assert.Equal(t, tt.slug, slug)
				assert.Equal(t, tt.display, display)
			}
		})
	}
}

func TestResolveZero(t *testing.T) {
	var p Producers
	slug, display, ok := p.Resolve("DDTM d'Ille-et-Vilaine")
	assert.True(t, ok)
	assert.Equal(t, "ddtm-d-ille-et-vilaine", slug)
	assert.Equal(t, "DDTM d'Ille-et-Vilaine", display)
}

func TestOrganizationFor(t *testing.T) {
	tests := []struct {
		name      string
		catalog   string
		producers []string
		want      string // organization id, "" for nil
	}{
		{"claimed by name", "geobretagne", []string{"region-bretagne"}, "region-bretagne"},
		{"second producer of the list", "geobretagne", []string{"brest-metropole"}, "region-bretagne"},
		{"claimed through an alias key", "geobretagne", []string{"ddtm-d-ille-et-vilaine"}, "ddtm-35"},
		{"alias spelling in the record", "geobretagne", []string{"ddtm-35"}, "ddtm-35"},
		{"record alias resolved to a claimed target", "geobretagne", []string{"conseil-regional-de-bretagne"}, "region-bretagne"},
		{"role order decides", "geobretagne", []string{"ddtm-35", "region-bretagne"}, "ddtm-35"},
		{"role order decides, reversed", "geobretagne", []string{"region-bretagne", "ddtm-35"}, "region-bretagne"},
		{"unclaimed first, claimed second", "geobretagne", []string{"mairie-de-rennes", "region-bretagne"}, "region-bretagne"},
		{"unclaimed goes to the wildcard", "geobretagne", []string{"mairie-de-rennes"}, "autres"},
		{"ignored producer goes to the wildcard", "geobretagne", []string{"inconnu"}, "autres"},
		{"no producer goes to the wildcard", "geobretagne", nil, "autres"},
		{"other catalog, claimed", "sandre", []string{"ddtm-35"}, "ddtm-35"},
		{"other catalog, not claimed, no wildcard", "sandre", []string{"region-bretagne"}, ""},
		{"other catalog, nothing", "sandre", nil, ""},
		{"unknown catalog", "nope", []string{"region-bretagne"}, ""},
	}
	c := loadClaims(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := c.OrganizationFor(tt.catalog, tt.producers)
			if tt.want == "" {
				assert.Nil(t, o)
				return
			}
			require.NotNil(t, o)
			assert.Equal(t, tt.want, o.ID)
			assert.Same(t, c.Organization(tt.want), o)
		})
	}
}

func TestClaims(t *testing.T) {
	c := loadClaims(t)
	tests := []struct {
		org, catalog, producer string
		want                   bool
	}{
		{"region-bretagne", "geobretagne", "region-bretagne", true},
		{"region-bretagne", "geobretagne", "Région Bretagne", true},
		{"region-bretagne", "geobretagne", "conseil-regional-de-bretagne", true},
		{"region-bretagne", "sandre", "region-bretagne", false},
		{"ddtm-35", "geobretagne", "ddtm-35", true},
		{"ddtm-35", "sandre", "ddtm-d-ille-et-vilaine", true},
		{"ddtm-35", "geobretagne", "region-bretagne", false},
		{"autres", "geobretagne", "mairie-de-rennes", false}, // "*" claims nothing by name
		{"autres", "geobretagne", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.org+"/"+tt.catalog+"/"+tt.producer, func(t *testing.T) {
			o := c.Organization(tt.org)
			require.NotNil(t, o)
			assert.Equal(t, tt.want, o.Claims(tt.catalog, tt.producer))
		})
	}
	assert.True(t, c.Organization("autres").TakesUnclaimed("geobretagne"))
	assert.False(t, c.Organization("autres").TakesUnclaimed("sandre"))
	assert.False(t, c.Organization("region-bretagne").TakesUnclaimed("geobretagne"))
}

func TestClaimsHandBuilt(t *testing.T) {
	o := &Organization{ID: "x", Sources: []Source{
		{Catalog: "a", Producers: []string{"Région Bretagne"}},
		{Catalog: "b", Producers: []string{"*"}},
	}}
	assert.True(t, o.Claims("a", "region-bretagne"))
	assert.False(t, o.Claims("b", "region-bretagne"))
	assert.True(t, o.TakesUnclaimed("b"))
	c := &Config{Organizations: []Organization{*o}}
	assert.Equal(t, "x", c.OrganizationFor("b", []string{"whoever"}).ID)
	assert.Nil(t, c.OrganizationFor("c", []string{"region-bretagne"}))
}

func BenchmarkOrganizationFor(b *testing.B) {
	c := loadClaims(b)
	producers := []string{"mairie-de-rennes", "ddtm-35", "region-bretagne"}
	b.ReportAllocs()
	for b.Loop() {
		if c.OrganizationFor("geobretagne", producers) == nil {
			b.Fatal("no organization")
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	c := loadClaims(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := c.Producers.Resolve("Conseil Régional de Bretagne"); !ok {
			b.Fatal("not resolved")
		}
	}
}

func TestSlugOfMatchesIsoSlug(t *testing.T) {
	for _, s := range []string{"", "a", "a-b", "a--b", "-a", "a-", "A", "é", "region-bretagne", "ddtm 35", "x1-2y", "-", "a_b"} {
		assert.Equal(t, iso.Slug(s), slugOf(s), "%q", s)
	}
}

func FuzzSlugOf(f *testing.F) {
	for _, s := range []string{"a-b", "Région", "a--b", "-x-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := slugOf(s), iso.Slug(s); got != want {
			t.Fatalf("slugOf(%q) = %q, iso.Slug = %q", s, got, want)
		}
	})
}

// TestPlaceholderProducers: evident template names are rejected by
// default, [producers] ignore adds to them and an alias wins over them
// (issue 9 item 10).
func TestPlaceholderProducers(t *testing.T) {
	for _, tt := range []struct {
		name string
		why  string // "" when not a placeholder
	}{
		{"-- Nom de l'organisation responsable --", "wrapped in --"},
		{"[Organisme]", "wrapped in [ ]"},
		{"<nom du producteur>", "wrapped in < >"},
		{"xxx", "only punctuation or x"},
		{"X.X.X", "only punctuation or x"},
		{"...", "only punctuation or x"},
		{"Nom de l'organisation responsable", "template phrase nom de l organisation"},
		{"NOM DE L’ORGANISME", "template phrase nom de l organisme"},
		{"Organisme à compléter", "template phrase a completer"},
		{"A RENSEIGNER", "template phrase a renseigner"},
		{"Non renseigné", "template phrase non renseigne"},
		{"Inconnu", "template phrase inconnu"},
		{"Région Bretagne", ""},
		{"DDTM 35", ""},
		{"Xavier Dupont", ""},
		{"Inconnue Production SARL", ""}, // whole words only
		{"Nomade", ""},
	} {
		if got := Placeholder(tt.name); got != tt.why {
			t.Errorf("Placeholder(%q) = %q, want %q", tt.name, got, tt.why)
		}
	}
	p := Producers{
		Aliases: map[string]string{"[SIG Rennes]": "Rennes Métropole"},
		Ignore:  []string{"Service SIG"},
	}
	p2 := p
	c := &Config{Producers: p2}
	c.prepare()
	for _, pr := range []Producers{p, c.Producers} { // slow path and lookup tables
		for _, tt := range []struct {
			in, slug, why string
		}{
			{"-- Nom de l'organisation responsable --", "", "template placeholder (wrapped in --)"},
			{"à renseigner", "", "template placeholder (template phrase a renseigner)"},
			{"Service SIG", "", "listed in [producers] ignore"},
			{"[SIG Rennes]", "rennes-metropole", ""}, // the alias wins
			{"Région Bretagne", "region-bretagne", ""},
		} {
			slug, _, ok := pr.Resolve(tt.in)
			if slug != tt.slug || ok != (tt.slug != "") {
				t.Errorf("Resolve(%q) = %q, %v; want %q", tt.in, slug, ok, tt.slug)
			}
			if why := pr.Rejected(tt.in); why != tt.why {
				t.Errorf("Rejected(%q) = %q, want %q", tt.in, why, tt.why)
			}
		}
	}
}

// FuzzPlaceholder: the placeholder rule never panics, and a placeholder
// that no alias names never resolves to a producer.
func FuzzPlaceholder(f *testing.F) {
	for _, s := range []string{"-- Nom de l'organisation responsable --", "[x]", "xxx", "Région Bretagne", "À RENSEIGNER", "<>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p Producers
		if why := Placeholder(s); why != "" {
			if _, _, ok := p.Resolve(s); ok {
				t.Fatalf("placeholder %q (%s) resolved", s, why)
			}
			if p.Rejected(s) == "" {
				t.Fatalf("placeholder %q not rejected", s)
			}
		}
	})
}
