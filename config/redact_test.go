package config

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestURLCredentialsMovedToHeader: credentials written in a catalog URL
// leave the URL (which is shown) for an Authorization header (never shown).
func TestURLCredentialsMovedToHeader(t *testing.T) {
	env := map[string]string{"CSW_PASS": "s3cr:et@x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		name, url, headers string
		wantURL, wantAuth  string
		wantErr            string
	}{
		{"user and password", "http://user:${CSW_PASS}@127.0.0.1:8080/csw?a=1", "", "http://127.0.0.1:8080/csw?a=1", "user:s3cr:et@x", ""},
		{"user only", "https://token@example.org/csw", "", "https://example.org/csw", "token:", ""},
		{"no credentials", "https://example.org/csw", "", "https://example.org/csw", "", ""},
		{"both", "http://user:${CSW_PASS}@example.org/csw", `headers = { authorization = "Bearer ${CSW_PASS}" }`, "", "", "credentials in the URL and an Authorization header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := "[server]\npublic_url = \"http://localhost:8080\"\n[[catalog]]\nid = \"x\"\ntitle = \"X\"\nurl = \"" + tc.url + "\"\n" + tc.headers + "\n"
			c, err := parse("catalogs.toml", []byte(data), t.TempDir(), lookup)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.NotContains(t, err.Error(), "s3cr")
				return
			}
			require.NoError(t, err)
			cat := c.Catalogs[0]
			assert.Equal(t, tc.wantURL, cat.URL)
			if tc.wantAuth == "" {
				assert.Empty(t, cat.Headers["Authorization"])
				return
			}
			assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte(tc.wantAuth)), cat.Headers["Authorization"])
		})
	}
}

func TestRedactURLs(t *testing.T) {
	for in, want := range map[string]string{
		"GET http://user:pw@host:8080/csw failed":                      "GET http://xxxxx@host:8080/csw failed",
		`{"final_url":"https://u:p@a@h/csw?x=y@z","n":"mail a@b.org"}`: `{"final_url":"https://xxxxx@h/csw?x=y@z","n":"mail a@b.org"}`,
		"redis://:pw@127.0.0.1:6379/0 and ftp://x@y":                   "redis://xxxxx@127.0.0.1:6379/0 and ftp://xxxxx@y",
		"no url here, just user@example.org":                           "no url here, just user@example.org",
		"http://host/path@not-userinfo":                                "http://host/path@not-userinfo",
	} {
		assert.Equal(t, want, RedactURLs(in), in)
	}
}
