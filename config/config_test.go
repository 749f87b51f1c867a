package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current messages")

// testToken is the value of the ${PASSERELLE_TEST_TOKEN} reference in
// full.good.toml.
const testToken = "s3cret-t0ken"

func setTestEnv(t *testing.T) {
	t.Helper()
	t.Setenv("PASSERELLE_TEST_TOKEN", testToken)
}

func TestLoadGoodFiles(t *testing.T) {
	setTestEnv(t)
	files, err := filepath.Glob("testdata/*.good.toml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			c, err := Load(file)
			require.NoError(t, err)
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			sum := sha256.Sum256(data)
			assert.Equal(t, hex.EncodeToString(sum[:]), c.Hash)
			assert.Equal(t, file, c.Path)
			assert.NoError(t, c.Validate(), "a loaded config validates again")
			for _, cat := range c.Catalogs {
				assert.Positive(t, cat.Line, "catalog %q line", cat.ID)
				assert.True(t, (cat.URL == "") != (cat.Dir == ""), "exactly one of url/dir")
				if cat.Dir != "" {
					assert.True(t, filepath.IsAbs(cat.Dir), "dir %q is absolute", cat.Dir)
				}
			}
		})
	}
}

func TestLoadFull(t *testing.T) {
	setTestEnv(t)
	c, err := Load("testdata/full.good.toml")
	require.NoError(t, err)
	absTestdata, err := filepath.Abs("testdata")
	require.NoError(t, err)

	assert.Equal(t, "https://passerelle.example.org", c.Server.PublicURL, "trailing / removed")
	require.Len(t, c.Catalogs, 2)

	g := c.Catalog("geo2france")
	require.NotNil(t, g)
	assert.Equal(t, Catalog{
		ID:             "geo2france",
		Title:          "Géo2France",
		Description:    "Le catalogue régional",
		Publisher:      "Région Hauts-de-France",
		URL:            "https://www.geo2france.fr/geonetwork/srv/fre/csw",
		Every:          12 * time.Hour,
		Timeout:        90 * time.Second,
		PageSize:       100,
		Constraint:     "apiso:Type = 'dataset'",
		NamespaceParam: true,
		CQLTextParam:   true,
		BriefThenByID:  false,
		Sort:           false,
		Headers: map[string]string{
			"Authorization": "Bearer " + testToken,
			"X-Note":        "cost ${5}",
		},
		Line: 5,
	}, *g)

	d := c.Catalog("demo")
	require.NotNil(t, d)
	assert.Equal(t, Catalog{
		ID:          "demo",
		Title:       "Démo",
		Description: "Catalogue Démo moissonné par passerelle",
		Dir:         filepath.Join(absTestdata, "demo"),
		Every:       DefaultEvery,
		Timeout:     DefaultTimeout,
		PageSize:    DefaultPageSize,
		Sort:        true,
		Line:        21,
	}, *d)
	assert.Nil(t, c.Catalog("nope"))

	require.Len(t, c.Organizations, 2)
	o := c.Organization("region-hdf")
	require.NotNil(t, o)
	assert.Equal(t, "534fff91a3a7292c64a77f4c", o.DatagouvID, "lower-cased")
	assert.Equal(t, ModeHarvest, o.Mode)
	assert.True(t, o.Services)
	assert.Equal(t, 26, o.Line)
	assert.Equal(t, []Source{
		{Catalog: "geo2france", Producers: []string{"Région Hauts-de-France", "ddtm-35"}},
		{Catalog: "demo", Producers: []string{"Conseil départemental du Nord"}},
	}, o.Sources)
	others := c.Organization("others")
	require.NotNil(t, others)
	assert.Equal(t, ModePush, others.Mode)
	assert.False(t, others.Services, "default")
	assert.Equal(t, 42, others.Line)
	assert.Nil(t, c.Organization("nope"))

	assert.Equal(t, map[string]string{"DDTM 35": "DDTM d'Ille-et-Vilaine"}, c.Producers.Aliases)
	assert.Equal(t, []string{"-- Nom de l'organisation responsable --"}, c.Producers.Ignore)
}

func TestParseRelativeDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "records"), 0o755))
	data := []byte("[server]\npublic_url = \"http://localhost:8080\"\n[[catalog]]\nid = \"x\"\ntitle = \"X\"\ndir = \"records\"\n")
	c, err := Parse("catalogs.toml", data, dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "records"), c.Catalogs[0].Dir)

	abs := filepath.Join(dir, "records")
	data = []byte("[server]\npublic_url = \"http://localhost:8080\"\n[[catalog]]\nid = \"x\"\ntitle = \"X\"\ndir = '" + abs + "'\n")
	c, err = Parse("catalogs.toml", data, "/nonexistent")
	require.NoError(t, err)
	assert.Equal(t, abs, c.Catalogs[0].Dir, "absolute dirs are kept")
}

// badCases lists every testdata/*.bad.toml with the expected problems, one
// substring per reported error, in line order.
var badCases = []struct {
	file string
	errs []string
}{
	{"syntax.bad.toml", []string{"syntax.bad.toml:6: syntax error: strings cannot contain newlines"}},
	{"duplicate_key.bad.toml", []string{"duplicate_key.bad.toml:8: syntax error: Key 'catalog.title' has already been defined."}},
	{"unknown_key.bad.toml", []string{`unknown_key.bad.toml:13: catalog "b": pagesize: unknown key (expected one of id, title,`}},
	{"unknown_case.bad.toml", []string{`unknown_case.bad.toml:7: catalog "a": URL: unknown key (keys are case-sensitive: did you mean "url"?)`}},
	{"unknown_table.bad.toml", []string{
		"unknown_table.bad.toml:1: serveur: unknown key (expected one of server, harvest, catalog, organization, producers)",
		`unknown_table.bad.toml:17: organization "o": source.owner: unknown key (expected one of catalog, producers)`,
		"unknown_table.bad.toml: server: public_url: required",
	}},
	{"duplicate_ids.bad.toml", []string{
		`duplicate_ids.bad.toml:10: catalog "demo": id: duplicate id: catalog #1 (line 4) already uses "demo"`,
		`duplicate_ids.bad.toml:24: organization "o": id: duplicate id: organization #1 (line 14) already uses "o"`,
	}},
	{"url_and_dir.bad.toml", []string{
		`url_and_dir.bad.toml:4: catalog "both": url and dir are both set`,
		`url_and_dir.bad.toml:10: catalog "none": neither url nor dir is set`,
	}},
	{"bad_slug.bad.toml", []string{
		`bad_slug.bad.toml:5: catalog "Géo2France": id: must be a slug (lower-case letters, digits and inner hyphens), got "Géo2France"; try "geo2france"`,
		`bad_slug.bad.toml:10: catalog "-demo": id: must be a slug`,
	}},
	{"bad_url.bad.toml", []string{
		`bad_url.bad.toml:7: catalog "ngr": url: must be an absolute http(s) URL, got "ngr.nl"`,
		`bad_url.bad.toml:12: catalog "ftp": url: must be an absolute http(s) URL, got "ftp://example.org/csw"`,
	}},
	{"bad_datagouv_id.bad.toml", []string{
		`bad_datagouv_id.bad.toml:12: organization "region-hdf": datagouv_id: must be 24 hex digits (a data.gouv.fr organization id, not its slug), got "region-hauts-de-france"`,
	}},
	{"unset_env.bad.toml", []string{
		"unset_env.bad.toml:2: server: public_url: environment variable PASSERELLE_TEST_UNSET_URL is not set",
		`unset_env.bad.toml:8: catalog "demo": headers.Authorization: environment variable PASSERELLE_TEST_UNSET_TOKEN is not set`,
	}},
	{"unterminated_env.bad.toml", []string{`unterminated_env.bad.toml:6: catalog "demo": title: unterminated "${"`}},
	{"claimed_twice.bad.toml", []string{
		`claimed_twice.bad.toml:25: organization "prefecture": source.producers: producer "DDTM d'Ille-et-Vilaine" (ddtm-d-ille-et-vilaine) of catalog "demo" is already claimed by organization "ddtm"`,
	}},
	{"two_wildcards.bad.toml", []string{
		`two_wildcards.bad.toml:25: organization "b": source.producers: catalog "demo" already has organization "a" with producers = ["*"]`,
	}},
	{"wildcard_mixed.bad.toml", []string{
		`wildcard_mixed.bad.toml:16: organization "a": source.producers: "*" must be alone in the list`,
	}},
	{"several.bad.toml", []string{
		`several.bad.toml:3: server: public_url: must not have a query or fragment, got "http://127.0.0.1:8080/?x=1"`,
		`several.bad.toml:5: catalog "demo": title: required`,
		`several.bad.toml:8: catalog "demo": every: must be at least 1m0s, got 30s`,
		`several.bad.toml:9: catalog "demo": page_size: must be between 1 and 1000, got 0`,
		`several.bad.toml:15: organization "a": mode: must be "harvest" or "push", got "pull"`,
	}},
	{"durations.bad.toml", []string{
		`durations.bad.toml:8: catalog "demo": every: must be a Go duration such as "6h", "90m" or "30s", got "6 hours"`,
		`durations.bad.toml:9: catalog "demo": timeout: must be positive, got -1s`,
		`durations.bad.toml:10: catalog "demo": page_size: must be between 1 and 1000, got 5000`,
	}},
	{"wrong_types.bad.toml", []string{
		`wrong_types.bad.toml:8: catalog "demo": page_size: must be an integer, got a string`,
		`wrong_types.bad.toml:9: catalog "demo": sort: must be true or false, got a string`,
		`wrong_types.bad.toml:10: catalog "demo": every: must be a duration string such as "6h", got an integer`,
		`wrong_types.bad.toml:19: organization "a": source.producers: must be an array of strings, got a string`,
	}},
	{"unknown_catalog.bad.toml", []string{`unknown_catalog.bad.toml:15: organization "a": source.catalog: no catalog has id "geobretagne"`}},
	{"missing_dir.bad.toml", []string{`missing_dir.bad.toml:7: catalog "demo": dir: "`, `no-such-folder": no such directory`}},
	{"no_server.bad.toml", []string{"no_server.bad.toml: server: public_url: required"}},
	{"no_catalog.bad.toml", []string{"no_catalog.bad.toml: catalog: no [[catalog]] table"}},
	{"secret_literal.bad.toml", []string{
		`secret_literal.bad.toml:7: catalog "demo": url: a password in the URL must come from an environment variable`,
		`secret_literal.bad.toml:10: catalog "demo": headers.Authorization: secret values must come from an environment variable`,
	}},
	{"aliases.bad.toml", []string{
		`aliases.bad.toml:16: organization "a": source.producers: producer "Nom de l'organisation responsable" is in [producers] ignore`,
		`aliases.bad.toml:22: producers: aliases.DDTM 35: target "DDTM35" is itself an alias of "DDTM d'Ille-et-Vilaine"`,
	}},
	{"auto_push.bad.toml", []string{`auto_push.bad.toml:14: organization "a": auto_push: only for mode "push"`}},
	{"catalog_table.bad.toml", []string{"catalog_table.bad.toml:4: catalog: incompatible types: TOML value has type table"}},
}

func TestLoadBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.toml")
	require.NoError(t, err)
	var listed []string
	for _, tc := range badCases {
		listed = append(listed, filepath.Join("testdata", tc.file))
	}
	sort.Strings(listed)
	assert.Equal(t, files, listed, "every testdata/*.bad.toml has a case, and only those")
	assert.GreaterOrEqual(t, len(badCases), 15)

	for _, tc := range badCases {
		t.Run(tc.file, func(t *testing.T) {
			c, err := Load(filepath.Join("testdata", tc.file))
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrInvalid)
			list := unjoin(err)
			if tc.file == "missing_dir.bad.toml" { // two substrings of one message
				require.Len(t, list, 1, "%v", err)
				for _, want := range tc.errs {
					assert.Contains(t, list[0].Error(), want)
				}
				return
			}
			require.Len(t, list, len(tc.errs), "errors:\n%v", err)
			for i, want := range tc.errs {
				assert.Contains(t, list[i].Error(), want)
				var e *Error
				if assert.ErrorAs(t, list[i], &e) {
					assert.Equal(t, tc.file, e.File)
				}
			}
		})
	}
}

// TestBadGolden pins the full text of every message; run with -update after
// changing a message on purpose.
func TestBadGolden(t *testing.T) {
	abs, err := filepath.Abs("testdata")
	require.NoError(t, err)
	for _, tc := range badCases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", tc.file))
			require.Error(t, err)
			got := strings.ReplaceAll(err.Error(), abs, "$TESTDATA") + "\n"
			golden := filepath.Join("testdata", strings.TrimSuffix(tc.file, ".toml")+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./config -run TestBadGolden -update")
			assert.Equal(t, string(want), got)
		})
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.toml")
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.NotErrorIs(t, err, ErrInvalid)
}

func TestEveryErrorIsTyped(t *testing.T) {
	_, err := Load("testdata/several.bad.toml")
	require.Error(t, err)
	for _, e := range unjoin(err) {
		var ce *Error
		require.ErrorAs(t, e, &ce)
		assert.Equal(t, "several.bad.toml", ce.File)
		assert.Positive(t, ce.Line)
		assert.NotEmpty(t, ce.Section)
	}
}

func TestErrorString(t *testing.T) {
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  Error
		want string
	}{
		{"full", Error{File: "catalogs.toml", Line: 14, Section: "catalog", ID: "x", Field: "url", Msg: "bad"}, `catalogs.toml:14: catalog "x": url: bad`},
		{"no line", Error{File: "catalogs.toml", Section: "server", Field: "public_url", Msg: "bad"}, `catalogs.toml: server: public_url: bad`},
		{"index without id", Error{File: "c.toml", Line: 3, Section: "organization", Index: 2, Field: "id", Msg: "required"}, `c.toml:3: organization #2: id: required`},
		{"id wins over index", Error{Section: "catalog", ID: "a", Index: 2, Msg: "m"}, `catalog "a": m`},
		{"message only", Error{Msg: "m", Err: cause}, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, &tt.err, ErrInvalid)
		})
	}
	e := &Error{Msg: "m", Err: cause}
	assert.ErrorIs(t, e, cause)
}

func TestValidateHandBuilt(t *testing.T) {
	c := &Config{
		Path:   "/etc/passerelle/catalogs.toml",
		Server: Server{PublicURL: "https://example.org"},
		Catalogs: []Catalog{
			{ID: "a", Title: "A", URL: "https://example.org/csw", Every: time.Hour, Timeout: time.Second, PageSize: 10},
			{ID: "b", Title: "B", URL: "example.org", Every: time.Hour, Timeout: time.Second, PageSize: 10},
		},
		Organizations: []Organization{{ID: "o", Title: "O", DatagouvID: "534fff91a3a7292c64a77f4c", Mode: ModePush,
			Sources: []Source{{Catalog: "a", Producers: []string{"DDTM 35"}}}}},
	}
	err := c.Validate()
	require.Error(t, err)
	assert.Equal(t, `catalogs.toml: catalog "b": url: must be an absolute http(s) URL, got "example.org"`, err.Error())

	c.Catalogs[1].URL = "https://example.org/b"
	require.NoError(t, c.Validate())
	assert.Same(t, &c.Organizations[0], c.OrganizationFor("a", []string{"ddtm-35"}))
}

func TestLogValueRedactsSecrets(t *testing.T) {
	setTestEnv(t)
	c, err := Load("testdata/full.good.toml")
	require.NoError(t, err)
	cat := *c.Catalog("geo2france")
	cat.URL = "https://user:pa55word@example.org/csw"
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("harvest", "catalog", cat)
	out := buf.String()
	assert.NotContains(t, out, testToken)
	assert.NotContains(t, out, "pa55word")
	assert.Contains(t, out, `"Authorization":"REDACTED"`)
	assert.Contains(t, out, `"X-Note":"cost ${5}"`)
	assert.Contains(t, out, `"id":"geo2france"`)
}

func TestParseLineEndingsAndBOM(t *testing.T) {
	tests := []struct{ name, text string }{
		{"crlf", "[server]\r\npublic_url = \"http://h\"\r\n\r\n[[catalog]]\r\nid = 'a'\r\ntitle = 'A'\r\nurl = 'x'\r\n"},
		{"bom", "\ufeff[server]\npublic_url = \"http://h\"\n\n[[catalog]]\nid = 'a'\ntitle = 'A'\nurl = 'x'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.toml", []byte(tt.text), t.TempDir())
			require.Error(t, err)
			assert.Equal(t, `c.toml:7: catalog "a": url: must be an absolute http(s) URL, got "x"`, err.Error())
		})
	}
}
