package push

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/dcat"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./push -run %s -update", t.Name())
	assert.Equal(t, string(want), string(got))
}

// TestPlanOutput covers every kind of action in the text and JSON outputs,
// from a fixed actual state (no HTTP: buildPlan is the pure part of Plan).
func TestPlanOutput(t *testing.T) {
	items := makeItems(9)
	rehash(items)
	ds := func(id string, i int, hash string, archived, deleted bool) *Dataset {
		period, err := json.Marshal(items[i].TemporalCoverage)
		require.NoError(t, err)
		d := &Dataset{ID: id, Title: items[i].Title, Tags: items[i].Tags, TemporalCoverage: period, Extras: map[string]any{
			dcat.ExtraRemoteID: remoteID(&items[i]), dcat.ExtraCatalog: "geoide", dcat.ExtraHash: hash,
		}}
		if archived {
			s := "2026-11-01T00:00:00+00:00"
			d.Archived = &s
		}
		if deleted {
			s := "2026-11-02T00:00:00+00:00"
			d.Deleted = &s
		}
		return d
	}
	h := func(i int) string { return dcat.ItemHash(&items[i]) }
	actual := []*Dataset{
		ds("000000000000000000000001", 1, h(1), false, false),  // unchanged
		ds("000000000000000000000002", 2, "old", false, false), // update
		ds("000000000000000000000003", 3, h(3), true, false),   // unarchive
		ds("000000000000000000000004", 4, "old", true, false),  // unarchive + changed
		ds("000000000000000000000005", 5, h(5), false, true),   // deleted on data.gouv.fr
		ds("000000000000000000000006", 6, h(6), false, false),  // archive (not desired)
		ds("000000000000000000000007", 7, h(7), false, false),  // kept
		ds("000000000000000000000008", 7, h(7), false, false),  // duplicate of 7
	}
	// Dataset 2 also holds a file uploaded on data.gouv.fr: kept, listed.
	actual[1].Resources = []RemoteResource{
		{ID: "r-notice", Title: "Notice.pdf", URL: "https://static.data.gouv.fr/resources/x/notice.pdf", Filetype: "file", Type: "documentation"},
	}
	var all []*Dataset
	for i := len(actual) - 1; i >= 0; i-- { // the API lists newest first
		all = append(all, actual[i])
	}
	// Harvested by data.gouv.fr from our feed before the move to push
	// mode: adopted.
	all = append(all, &Dataset{ID: "000000000000000000000009", Title: items[8].Title,
		Harvest: &HarvestInfo{RemoteID: remoteID(&items[8]), SourceID: "5f00000000000000000000bb"}})
	desired := append([]dcat.Item{}, items[:6]...)
	desired = append(desired, items[7], items[8])
	noRID := items[0]
	noRID.Extras = map[string]any{}
	desired = append(desired, noRID)

	p := buildPlan(Org{ConfigID: "ddt99", DatagouvID: "5f00000000000000000000aa"}, desired, false, newIndex(all))
	var txt, js bytes.Buffer
	require.NoError(t, p.WriteText(&txt))
	require.NoError(t, p.WriteJSON(&js))
	golden(t, "plan.golden.txt", txt.Bytes())
	golden(t, "plan.golden.jsonl", js.Bytes())

	p = buildPlan(Org{ConfigID: "ddt99", DatagouvID: "5f00000000000000000000aa"}, items[:1], true, newIndex(all))
	txt.Reset()
	require.NoError(t, p.WriteText(&txt))
	golden(t, "plan-partial.golden.txt", txt.Bytes())
}
