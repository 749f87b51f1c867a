package proxy

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
)

// TestCorpusDocumentsSHACL serves the corpus catalog (every record file
// plus every record inside the CSW responses) and checks, with the shared
// SHACL checker and the default DCAT-AP 3.0.1 shapes, the documents exactly
// as the routes serve them: /catalogs/corpus/datasets/{id}.ttl of every
// dataset and series (producers, publishers and identifiers included, which
// the dcat package's own test does not set). At least 95 % must conform.
func TestCorpusDocumentsSHACL(t *testing.T) {
	if testing.Short() {
		t.Skip("SHACL check skipped under -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		testenv.MissingTool(t, "node")
	}
	corpus := t.TempDir()
	for _, sub := range []string{"records", "csw"} {
		files, err := filepath.Glob(testenv.Corpus(t, sub, "*.xml"))
		require.NoError(t, err)
		for _, f := range files {
			require.NoError(t, os.Symlink(f, filepath.Join(corpus, sub+"__"+filepath.Base(f))))
		}
	}
	e := newEnv(t, "http://127.0.0.1:8080", "", map[string]string{"corpus": corpus})
	h := e.harvestAny("corpus")
	t.Logf("corpus catalog: %d records served (%d fetched, %d failed to parse, %d duplicates)", h.Records, h.Fetched, h.Failed, h.Duplicates)

	data, err := e.srv.state.Catalog(context.Background(), "corpus")
	require.NoError(t, err)
	out := t.TempDir()
	var docs []string
	for _, r := range data.Records {
		if r.Entry.Type == "service" || r.Entry.Conflict != "" {
			continue
		}
		resp, body := e.get("/catalogs/corpus/datasets/" + urlPathEscape(r.Entry.ID) + ".ttl")
		require.Equal(t, http.StatusOK, resp.StatusCode, r.Entry.ID)
		path := filepath.Join(out, urlPathEscape(r.Entry.ID)+".ttl")
		require.NoError(t, os.WriteFile(path, body, 0o644))
		docs = append(docs, path)
	}
	require.NotEmpty(t, docs)
	check := filepath.Join(testenv.Shared(t), "shacl", "check")
	res, _ := exec.Command(check, docs...).CombinedOutput()
	conform := 0
	for _, line := range strings.Split(string(res), "\n") {
		for _, d := range docs {
			if strings.HasPrefix(line, d+" ") || strings.HasPrefix(line, filepath.Base(d)+" ") {
				if strings.Contains(line, " conforms") {
					conform++
				} else {
					t.Logf("  %s", line)
				}
			}
		}
	}
	share := float64(conform) / float64(len(docs))
	t.Logf("SHACL DCAT-AP 3.0.1 on served documents: %d/%d conform (%.1f %%)", conform, len(docs), 100*share)
	assert.GreaterOrEqual(t, share, 0.95, string(res))
}
