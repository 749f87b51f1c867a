package push

import (
	"bytes"
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
	items := makeItems(8)
	rehash(items)
	ds := func(id string, i int, hash string, archived, deleted bool) *Dataset {
		d := &Dataset{ID: id, Title: items[i].Title, Tags: items[i].Tags, Extras: map[string]any{
			ExtraRemoteID: remoteID(&items[i]), ExtraCatalog: "geoide", ExtraHash: hash,
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
	h := func(i int) string { return ItemHash(&items[i]) }
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
	byRemote := map[string][]*Dataset{}
	var order []string
	for i := len(actual) - 1; i >= 0; i-- { // the API lists newest first
		d := actual[i]
		rid := d.Extra(ExtraRemoteID)
		if byRemote[rid] == nil {
			order = append(order, rid)
		}
		byRemote[rid] = append(byRemote[rid], d)
	}
	desired := append([]dcat.Item{}, items[:6]...)
	desired = append(desired, items[7])
	noRID := items[0]
	noRID.Extras = map[string]any{}
	desired = append(desired, noRID)

	p := buildPlan(Org{ConfigID: "ddt99", DatagouvID: "5f00000000000000000000aa"}, desired, false, byRemote, order)
	var txt, js bytes.Buffer
	require.NoError(t, p.WriteText(&txt))
	require.NoError(t, p.WriteJSON(&js))
	golden(t, "plan.golden.txt", txt.Bytes())
	golden(t, "plan.golden.jsonl", js.Bytes())

	p = buildPlan(Org{ConfigID: "ddt99", DatagouvID: "5f00000000000000000000aa"}, items[:1], true, byRemote, order)
	txt.Reset()
	require.NoError(t, p.WriteText(&txt))
	golden(t, "plan-partial.golden.txt", txt.Bytes())
}
