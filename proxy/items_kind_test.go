package proxy

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

// TestOrganizationItemsSameAsFeed: push (OrganizationItems) and the
// organization feed publish the same datasets and series; a map record
// (interactiveMap) is dcat:Resource in the feed and no item (issue 9 item 7).
func TestOrganizationItemsSameAsFeed(t *testing.T) {
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(demoDir(), "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	files = append(files, testenv.Corpus(t, "records", "gnui__geo2france.iso19139.reuse+ongules.xml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), raw, 0o644))
	}
	e := newEnv(t, "http://127.0.0.1:8080", `
[[organization]]
id = "tous"
title = "Tous"
datagouv_id = "65a0de0000000000000000b3"
mode = "push"
  [[organization.source]]
  catalog = "mix"
  producers = ["*"]
`, map[string]string{"mix": dir})
	e.harvestAny("mix")

	items, _, err := served.OrganizationItems(context.Background(), e.store, e.cfg, "tous")
	require.NoError(t, err)
	var pushed []string
	for _, it := range items {
		pushed = append(pushed, it.Extras["passerelle:remote_id"].(string))
	}
	sort.Strings(pushed)

	resp, body := e.get("/organizations/tous/catalog.nt?page_size=500")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	typed := map[string]bool{}
	resources := 0
	reType := regexp.MustCompile(`(?m)^(\S+) <http://www\.w3\.org/1999/02/22-rdf-syntax-ns#type> <http://www\.w3\.org/ns/dcat#(Dataset|DatasetSeries|Resource)> \.$`)
	for _, m := range reType.FindAllStringSubmatch(string(body), -1) {
		if m[2] == "Resource" {
			resources++
			continue
		}
		typed[m[1]] = true
	}
	reID := regexp.MustCompile(`(?m)^(\S+) <http://purl\.org/dc/terms/identifier> "((?:[^"\\]|\\.)*)"`)
	var feed []string
	for _, m := range reID.FindAllStringSubmatch(string(body), -1) {
		if typed[m[1]] {
			feed = append(feed, m[2])
		}
	}
	sort.Strings(feed)
	assert.Equal(t, 1, resources, "the map record is a dcat:Resource in the feed")
	assert.NotEmpty(t, feed)
	assert.Equal(t, feed, pushed, "push and feed publish the same datasets and series")
	for _, it := range items {
		assert.NotContains(t, it.Title, "ongulés", "map record pushed as a dataset")
	}

	// The organization's datasets.json serves the same items.
	resp, body = e.get("/organizations/tous/datasets.json?page_size=500")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.NotContains(t, string(body), "7eb795c2-d612-4b5e-b15e-d985b0f4e697")
}
