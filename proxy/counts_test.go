package proxy

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
)

var totalItemsRe = regexp.MustCompile(`/catalog> <http://www\.w3\.org/ns/hydra/core#totalItems> "(\d+)"`)

// totalItems reads hydra:totalItems of a feed's catalog node.
func (e *env) totalItems(path string) int {
	e.t.Helper()
	resp, body := e.get(path)
	require.Equal(e.t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	m := totalItemsRe.FindSubmatch(body)
	require.NotNil(e.t, m, "%s has no hydra:totalItems", path)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(e.t, err)
	return n
}

// TestCountsAcrossViews: catalogs.json and producers.json name the numbers
// a person compares with the feeds: records = datasets + services +
// left_out, the feed's hydra:totalItems = datasets + services, and an
// organization taking every producer gets the catalog's datasets.
func TestCountsAcrossViews(t *testing.T) {
	corpus := t.TempDir()
	files, err := filepath.Glob(testenv.Corpus(t, "records", "*.xml"))
	require.NoError(t, err)
	for _, f := range files {
		require.NoError(t, os.Symlink(f, filepath.Join(corpus, filepath.Base(f))))
	}
	e := newEnv(t, "http://127.0.0.1:8080", orgTOML, map[string]string{"demo": demoDir(), "corpus": corpus})
	e.harvest("demo")
	e.harvestAny("corpus")

	resp, body := e.get("/catalogs.json")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var cats []struct {
		ID string `json:"id"`
		viewCounts
	}
	require.NoError(t, json.Unmarshal(body, &cats))
	require.Len(t, cats, 2)
	byID := map[string]viewCounts{}
	for _, c := range cats {
		byID[c.ID] = c.viewCounts
		t.Run(c.ID, func(t *testing.T) {
			data, err := e.srv.state.Catalog(t.Context(), c.ID)
			require.NoError(t, err)
			assert.Equal(t, len(data.Records), c.Records, "records: everything harvested")
			assert.Equal(t, c.Records, c.Datasets+c.Services+c.Other+c.LeftOut)
			assert.Equal(t, c.Datasets+c.Services+c.Other, e.totalItems("/catalogs/"+c.ID+"/catalog.nt"))
			services := 0
			for _, r := range data.Records {
				if r.Entry.Type == "service" {
					services++
				}
			}
			assert.LessOrEqual(t, c.Services, services)
		})
	}
	// The corpus holds records sharing a resource identifier: left out of
	// the feed, and counted as such.
	assert.Positive(t, byID["corpus"].LeftOut)
	assert.Positive(t, byID["demo"].Services)
	// Maps (staticMap, interactiveMap, map) are in the feed, not datasets.
	assert.Positive(t, byID["corpus"].Other)

	// Each record of demo goes to one organization: "bretagne" by its
	// producers, "reste" (producers = ["*"]) the others; their datasets.json
	// (services apart) share the catalog's datasets.
	orgTotal := func(org string) int {
		resp, body := e.get("/organizations/" + org + "/datasets.json")
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var page struct {
			Total int `json:"total"`
		}
		require.NoError(t, json.Unmarshal(body, &page))
		return page.Total
	}
	assert.Equal(t, byID["demo"].Datasets, orgTotal("bretagne")+orgTotal("reste"))

	resp, body = e.get("/catalogs/demo/producers.json")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var producers []struct {
		Slug     string `json:"slug"`
		Count    int    `json:"count"`
		Records  int    `json:"records"`
		Datasets int    `json:"datasets"`
		Services int    `json:"services"`
		Other    int    `json:"other"`
		LeftOut  int    `json:"left_out"`
	}
	require.NoError(t, json.Unmarshal(body, &producers))
	require.NotEmpty(t, producers)
	for _, p := range producers {
		assert.Equal(t, p.Count, p.Records, p.Slug)
		assert.Equal(t, p.Records, p.Datasets+p.Services+p.Other+p.LeftOut, p.Slug)
		if p.Slug == "_none" {
			continue
		}
		assert.Equal(t, p.Datasets+p.Services+p.Other, e.totalItems("/catalogs/demo/producers/"+p.Slug+"/catalog.nt"), p.Slug)
	}
}
