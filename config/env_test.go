package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"A": "alpha", "B_2": "beta", "EMPTY": "", "DOLLAR": "${A}"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		name, in, want string
		errs           []string
	}{
		{"no reference", "plain $ text", "plain $ text", nil},
		{"one", "${A}", "alpha", nil},
		{"inside text", "Bearer ${A}!", "Bearer alpha!", nil},
		{"two", "${A}-${B_2}", "alpha-beta", nil},
		{"set but empty", "x${EMPTY}y", "xy", nil},
		{"value not expanded again", "${DOLLAR}", "${A}", nil},
		{"escape", "$${A}", "${A}", nil},
		{"escape then reference", "$${A}${A}", "${A}alpha", nil},
		{"bare dollar name kept", "$A and $", "$A and $", nil},
		{"double dollar without brace kept", "cost $$5", "cost $$5", nil},
		{"unset", "${NOPE}", "", []string{"environment variable NOPE is not set"}},
		{"two unset", "${NOPE}/${NADA}", "/", []string{"NOPE is not set", "NADA is not set"}},
		{"unterminated", "x ${A", "x ${A", []string{`unterminated "${"`}},
		{"empty name", "${}", "", []string{`invalid environment variable name ""`}},
		{"bad name", "${1A}", "", []string{`invalid environment variable name "1A"`}},
		{"bad name with space", "${A B}", "", []string{`invalid environment variable name "A B"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := expandEnv(tt.in, lookup)
			assert.Equal(t, tt.want, got)
			assert.Len(t, errs, len(tt.errs))
			for i := range min(len(errs), len(tt.errs)) {
				assert.Contains(t, errs[i], tt.errs[i])
			}
		})
	}
}

func TestHasEnvRef(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Bearer ${TOKEN}", true},
		{"Bearer $${TOKEN}", false},
		{"Bearer $TOKEN", false},
		{"Bearer ${", false},
		{"${1X}", false},
		{"$${A}${B}", true},
		{"", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, hasEnvRef(tt.in), tt.in)
	}
}

func TestParseExpandsEverywhere(t *testing.T) {
	t.Setenv("PASSERELLE_TEST_HOST", "csw.example.org")
	t.Setenv("PASSERELLE_TEST_EVERY", "2h")
	t.Setenv("PASSERELLE_TEST_PRODUCER", "Région Bretagne")
	data := []byte(`[server]
public_url = "https://${PASSERELLE_TEST_HOST}"
[[catalog]]
id = "x"
title = "X $${literal}"
url = "https://${PASSERELLE_TEST_HOST}/csw"
every = "${PASSERELLE_TEST_EVERY}"
[[organization]]
id = "o"
title = "O"
datagouv_id = "534fff91a3a7292c64a77f4c"
mode = "push"
  [[organization.source]]
  catalog = "x"
  producers = ["${PASSERELLE_TEST_PRODUCER}"]
[producers]
aliases = { "Rennes" = "${PASSERELLE_TEST_PRODUCER}" }
`)
	c, err := Parse("catalogs.toml", data, t.TempDir())
	if !assert.NoError(t, err) {
		return
	}
	assert.Equal(t, "https://csw.example.org", c.Server.PublicURL)
	assert.Equal(t, "https://csw.example.org/csw", c.Catalogs[0].URL)
	assert.Equal(t, "X ${literal}", c.Catalogs[0].Title)
	assert.Equal(t, "2h0m0s", c.Catalogs[0].Every.String())
	assert.Equal(t, []string{"Région Bretagne"}, c.Organizations[0].Sources[0].Producers)
	assert.Equal(t, "Région Bretagne", c.Producers.Aliases["Rennes"])
	assert.Equal(t, "o", c.OrganizationFor("x", []string{"rennes"}).ID)
}

func TestSecretsStayOutOfMessages(t *testing.T) {
	t.Setenv("PASSERELLE_TEST_PW", "hunter2")
	data := []byte(`[server]
public_url = "https://u:${PASSERELLE_TEST_PW}@example.org/?x"
[[catalog]]
id = "x"
title = "X"
url = "u:${PASSERELLE_TEST_PW}@example.org"
headers = { Authorization = "Bearer hunter2 ${PASSERELLE_TEST_PW" }
`)
	_, err := Parse("catalogs.toml", data, t.TempDir())
	if assert.Error(t, err) {
		assert.NotContains(t, err.Error(), "hunter2")
		assert.Contains(t, err.Error(), "headers.Authorization: unterminated")
		assert.Contains(t, err.Error(), "public_url: must not have a query or fragment")
		assert.Contains(t, err.Error(), "url: must be an absolute http(s) URL")
	}
}
