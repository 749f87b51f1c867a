package proxy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// ogrinfo runs GDAL's ogrinfo on a CSW endpoint (bounded in time) and
// returns its output; GDAL reports HTTP and OGC exceptions on stderr.
func ogrinfo(t *testing.T, endpoint string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ogrinfo", append([]string{"-ro", "CSW:" + endpoint}, args...)...)
	// No proxy, no GDAL cache between runs: every run asks the facade.
	cmd.Env = append(os.Environ(), "GDAL_HTTP_PROXY=", "http_proxy=", "CPL_VSIL_CURL_CACHE_SIZE=0", "GDAL_HTTP_MAX_RETRY=0")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

var (
	ogrFieldRe   = regexp.MustCompile(`(?m)^(\w+): (String|StringList|Integer|Real|DateTime|Date)\b`)
	ogrFeatureRe = regexp.MustCompile(`(?m)^OGRFeature\(records\):\d+`)
	ogrIDRe      = regexp.MustCompile(`(?m)^  identifier \(String\) = (.*)$`)
	ogrListRe    = regexp.MustCompile(`^\(\d+:`)
)

// TestGDALOGRCSW drives GDAL's OGR CSW driver (what QGIS and ogr2ogr users
// have) against the facade of a catalog holding the corpus: an attribute
// filter on every field the driver offers is answered (it used to get HTTP
// 400 "unknown queryable 'dc:language'"), and -spat over the Géo-IDE
// record's box finds it (its box has west > east: repaired, as in the feeds).
func TestGDALOGRCSW(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		testenv.MissingTool(t, "ogrinfo (gdal-bin)")
	}
	corpus := t.TempDir()
	files, err := filepath.Glob(testenv.Corpus(t, "records", "*.xml"))
	require.NoError(t, err)
	for _, f := range files {
		require.NoError(t, os.Symlink(f, filepath.Join(corpus, filepath.Base(f))))
	}
	e := listen(t, map[string]string{"corpus": corpus}, "")
	e.harvestAny("corpus")
	endpoint := e.cfg.Server.PublicURL + "/catalogs/corpus/csw"

	out, stderr, err := ogrinfo(t, endpoint, "-so", "records")
	require.NoError(t, err, stderr)
	var fields []string
	for _, m := range ogrFieldRe.FindAllStringSubmatch(out, -1) {
		if m[2] == "StringList" {
			continue // OGR SQL has no operator on lists: GDAL refuses such a filter itself
		}
		fields = append(fields, m[1])
	}
	require.Contains(t, fields, "language", out)
	t.Logf("string fields GDAL offers: %v", fields)

	// Every feature, to pick a value per field.
	all, stderr, err := ogrinfo(t, endpoint, "-q", "records")
	require.NoError(t, err, stderr)
	values := map[string]string{}
	for _, line := range strings.Split(all, "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " (String) = ")
		// "(2:a,b)" is GDAL's rendering of repeated elements, not a value.
		if !ok || values[name] != "" || ogrListRe.MatchString(value) || len(value) > 60 || strings.ContainsAny(value, "'%_\\") || strings.TrimSpace(value) != value {
			continue
		}
		values[name] = value
	}
	for _, field := range fields {
		t.Run("where "+field, func(t *testing.T) {
			where := field + " LIKE '%a%'"
			_, stderr, err := ogrinfo(t, endpoint, "-q", "-where", where, "records")
			require.NoError(t, err, "%s: %s", where, stderr)
			assert.NotContains(t, stderr, "HTTP error", where)
			assert.NotContains(t, stderr, "ERROR", where)
			v, ok := values[field]
			if !ok {
				return
			}
			where = field + " = '" + v + "'"
			out, stderr, err := ogrinfo(t, endpoint, "-q", "-where", where, "records")
			require.NoError(t, err, "%s: %s", where, stderr)
			assert.NotContains(t, stderr, "ERROR", where)
			assert.NotEmpty(t, ogrFeatureRe.FindAllString(out, -1), "%s finds the feature it was read from", where)
		})
	}
	t.Run("language = 'fre'", func(t *testing.T) {
		out, stderr, err := ogrinfo(t, endpoint, "-q", "-where", "language = 'fre'", "records")
		require.NoError(t, err, stderr)
		assert.NotContains(t, stderr, "ERROR")
		ids := ogrIDRe.FindAllStringSubmatch(out, -1)
		var got []string
		for _, m := range ids {
			got = append(got, m[1])
		}
		assert.Contains(t, got, "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa")
		recs := mustCatalog(t, e, "corpus").Records
		models, err := e.srv.state.Models(t.Context(), recs)
		require.NoError(t, err)
		for i, r := range recs {
			if models[i].Language == "fre" {
				assert.Contains(t, got, r.Entry.ID)
			}
		}
	})
	t.Run("spat over the swapped Géo-IDE box", func(t *testing.T) {
		// The record says west 1.90955460, east 0.62974060, south 45.4376, north 46.4016.
		out, stderr, err := ogrinfo(t, endpoint, "-q", "-spat", "1.0", "45.8", "1.5", "46.0", "records")
		require.NoError(t, err, stderr)
		assert.NotContains(t, stderr, "ERROR")
		assert.Contains(t, out, "fr-120066022-jdd-763296bf-fc8d-46a2-ab4f-e2d607adf4fa")
		assert.NotEmpty(t, ogrFeatureRe.FindAllString(out, -1))
	})
}

func mustCatalog(t *testing.T, e *env, id string) *served.Catalog {
	t.Helper()
	d, err := e.srv.state.Catalog(t.Context(), id)
	require.NoError(t, err)
	return d
}
