package proxy

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// python runs a script of testdata with Debian's interpreter (which sees
// python3-owslib and python3-rdflib), failing the test on a non-zero exit.
func python(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	py := "/usr/bin/python3"
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", script)}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v: %s", script, args, stderr.String())
	return out
}

// requireModule skips under -short (make test-short runs no external
// tool) and reports a missing Python module through testenv.MissingTool.
func requireModule(t *testing.T, module string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("python3 %s test skipped under -short", module)
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import "+module).Run(); err != nil {
		testenv.MissingTool(t, "python3 module "+module)
	}
}

type harvested struct {
	Matched  int      `json:"matched"`
	IDs      []string `json:"ids"`
	Children int      `json:"children"`
	Pages    int      `json:"pages"`
}

// TestOWSLibHarvestsEveryEndpoint: OWSLib pages through the catalog,
// producer and organization facades in the ISO and Dublin Core schemas,
// with and without GetCapabilities, and sees exactly the snapshot's records.
func TestOWSLibHarvestsEveryEndpoint(t *testing.T) {
	requireModule(t, "owslib")
	corpus := t.TempDir()
	for _, f := range []string{"records"} {
		files, err := filepath.Glob(testenv.Corpus(t, f, "*.xml"))
		require.NoError(t, err)
		for _, file := range files {
			if filepath.Base(file) == "gnui__generic-dataset.iso19139.xml" {
				// OWSLib 0.27.2's own ISO parser raises AttributeError on this
				// record (owslib.iso.MD_Metadata, no facade involved): its
				// harvest would stop there whatever we serve.
				continue
			}
			require.NoError(t, os.Symlink(file, filepath.Join(corpus, filepath.Base(file))))
		}
	}
	e := listen(t, map[string]string{"demo": demoDir(), "corpus": corpus}, orgTOML)
	e.harvest("demo")
	e.harvest("corpus")
	base := e.cfg.Server.PublicURL

	// OWSLib keys ISO records by gmd:MD_Metadata only: gmi:MI_Metadata
	// records are served (and counted as SearchResults children by the
	// script) but absent from csw.records.
	want := func(v *served.View, schema string) []string {
		var ids []string
		models, err := e.srv.state.Models(context.Background(), v.Records)
		require.NoError(t, err)
		for i, r := range v.Records {
			if schema == "iso" && models[i].RootName == "gmi:MI_Metadata" {
				continue
			}
			ids = append(ids, r.Entry.ID)
		}
		sort.Strings(ids)
		return ids
	}
	ctx := context.Background()
	catalogView, err := e.srv.state.CatalogView(ctx, e.cfg, "corpus")
	require.NoError(t, err)
	producerView, err := e.srv.state.ProducerView(ctx, e.cfg, "demo", "ddtm-d-ille-et-vilaine")
	require.NoError(t, err)
	orgView, err := e.srv.state.OrganizationView(ctx, e.cfg, "bretagne")
	require.NoError(t, err)
	demoView, err := e.srv.state.CatalogView(ctx, e.cfg, "demo")
	require.NoError(t, err)

	for _, tc := range []struct {
		name, path string
		v          *served.View
	}{
		{"catalog", "/catalogs/corpus/csw", catalogView},
		{"demo", "/catalogs/demo/csw", demoView},
		{"producer", "/catalogs/demo/producers/ddtm-d-ille-et-vilaine/csw", producerView},
		{"organization", "/organizations/bretagne/csw", orgView},
	} {
		for _, schema := range []string{"iso", "dc"} {
			for _, mode := range []string{"caps", "skip_caps"} {
				t.Run(tc.name+"/"+schema+"/"+mode, func(t *testing.T) {
					var got harvested
					out := python(t, "owslib_harvest.py", base+tc.path, schema, mode)
					require.NoError(t, json.Unmarshal(out, &got), string(out))
					assert.Equal(t, len(tc.v.Records), got.Matched)
					assert.Equal(t, want(tc.v, schema), got.IDs)
				})
			}
		}
	}
	// The producer endpoint returns exactly that producer's records.
	for _, r := range producerView.Records {
		assert.Contains(t, r.Entry.Producers, "ddtm-d-ille-et-vilaine")
	}
	assert.Less(t, len(producerView.Records), len(demoView.Records))
}

// TestOWSLibQueries: OrganisationName equality, AnyText like, BBOX and
// GetRecordById through OWSLib's own filter encoding.
func TestOWSLibQueries(t *testing.T) {
	requireModule(t, "owslib")
	e := listen(t, map[string]string{"demo": demoDir()}, orgTOML)
	e.harvest("demo")
	data, err := e.srv.state.Catalog(context.Background(), "demo")
	require.NoError(t, err)

	var wantOrg, wantLike, wantBBox []string
	models, err := e.srv.state.Models(context.Background(), data.Records)
	require.NoError(t, err)
	for i, r := range data.Records {
		m := models[i]
		if m.RootName == "gmi:MI_Metadata" {
			continue // OWSLib drops gmi records from csw.records (see above)
		}
		for _, n := range r.Entry.ProducerNames {
			if strings.EqualFold(n, "Rennes Métropole") {
				wantOrg = append(wantOrg, r.Entry.ID)
				break
			}
		}
		if strings.Contains(strings.ToLower(m.Title.Value+" "+m.Abstract.Value), "cyclable") {
			wantLike = append(wantLike, r.Entry.ID)
		}
		for _, b := range m.BoundingBoxes {
			if b.West <= -1.5 && b.East >= -1.9 && b.South <= 48.2 && b.North >= 47.9 {
				wantBBox = append(wantBBox, r.Entry.ID)
				break
			}
		}
	}
	require.NotEmpty(t, wantOrg)
	require.NotEmpty(t, wantLike)
	require.NotEmpty(t, wantBBox)
	id := wantOrg[0]
	out := python(t, "owslib_queries.py", e.cfg.Server.PublicURL+"/catalogs/demo/csw", "rennes métropole", "cyclable", id)
	var got map[string][]string
	require.NoError(t, json.Unmarshal(out, &got), string(out))
	sort.Strings(wantOrg)
	sort.Strings(wantLike)
	sort.Strings(wantBBox)
	assert.Equal(t, wantOrg, got["org"])
	assert.Subset(t, got["like"], wantLike)
	assert.Equal(t, wantBBox, got["bbox"])
	assert.Equal(t, wantBBox, got["bbox_urn"], "EPSG:4326 URN is latitude first")
	assert.Equal(t, wantBBox, got["bbox_crs84"], "CRS84 is longitude first")
	assert.Equal(t, []string{id}, got["byid"])
}
