package push

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/internal/udatafake"
)

// The tests of this file follow udata's real semantics (udata.md §C.5) as
// the fake implements them: each one lost or spoiled data on data.gouv.fr
// before push was fixed (issue 9).

func datasetOf(t *testing.T, e *testEnv, rid string) udatafake.Dataset {
	t.Helper()
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		if d.Extras[dcat.ExtraRemoteID] == rid && d.Deleted == nil {
			return d
		}
	}
	t.Fatalf("no dataset carries %s", rid)
	return udatafake.Dataset{}
}

// Item 1: a PUT without temporal_coverage clears it, archive and unarchive
// included; the hash does not change, so the period must be resent, and a
// period lost earlier is repaired.
func TestArchiveKeepsTemporalCoverage(t *testing.T) {
	e := newEnv(t)
	items := makeItems(6)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	e.assertState(t, items)

	rep := e.sync(t, items[:5], ApplyOptions{}) // items[5] leaves: archived
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	d := datasetOf(t, e, remoteID(&items[5]))
	require.NotNil(t, d.Archived)
	assert.Equal(t, map[string]any{"start": "2020-01-01", "end": "2025-12-31"}, asJSON(t, d.TemporalCoverage), "archiving keeps the period")
	e.assertState(t, items[:5])

	rep = e.sync(t, items, ApplyOptions{}) // back, unchanged: unarchived
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)

	// A period wiped by an earlier run (or by hand) comes back although
	// the hash is the same.
	e.fake.Mutate(datasetOf(t, e, remoteID(&items[1])).ID, func(d *udatafake.Dataset) { d.TemporalCoverage = nil })
	p := e.plan(t, items, false)
	require.Len(t, p.Actions, 1)
	assert.Equal(t, KindUpdate, p.Actions[0].Kind)
	assert.Contains(t, p.Actions[0].Reason, "temporal coverage")
	rep = e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)

	// A reversed range is stored swapped by udata: not a difference that
	// would update the dataset on every run.
	items[2].TemporalCoverage = &dcat.TemporalCoverage{Start: "2025-12-31", End: "2020-01-01"}
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	e.fake.ResetCounts()
	assert.Empty(t, e.plan(t, items, false).Actions)
}

// Item 2: resources people added on data.gouv.fr (uploaded files, links
// added by hand through the site or the API) are never updated or deleted;
// the plan lists them as kept.
func TestHandMadeResourcesKept(t *testing.T) {
	e := newEnv(t)
	items := makeItems(3)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	d0 := datasetOf(t, e, remoteID(&items[0]))
	e.addHandMade(t, d0.ID, udatafake.Resource{Title: "Notice.pdf", URL: "https://static.data.gouv.fr/resources/plu/notice.pdf", Format: "pdf", Type: "documentation"})
	e.addHandMade(t, d0.ID, udatafake.Resource{Title: "Archive", URL: "https://mairie.example.fr/plu-000.zip", Filetype: "remote", Type: "main", Format: "zip"})
	// Same (url, title) as one of ours but added by a person: still theirs.
	e.addHandMade(t, d0.ID, udatafake.Resource{Title: "Zonage (WMS)", URL: "https://geo.example.fr/wms", Filetype: "remote", Type: "api", Format: "wms"})
	d1 := datasetOf(t, e, remoteID(&items[1]))
	e.addHandMade(t, d1.ID, udatafake.Resource{Title: "Photo.jpg", URL: "https://static.data.gouv.fr/resources/plu/photo.jpg"})

	items[0].Resources = items[0].Resources[:1] // two of ours leave
	items[0].Resources[0].Description = "Couche de zonage"
	items[1].Title = "PLU 001 révisé"
	rehash(items)
	p := e.plan(t, items, false)
	assert.Equal(t, map[string]int{"update": 2, "unchanged": 1}, p.Counts())
	var txt bytes.Buffer
	require.NoError(t, p.WriteText(&txt))
	assert.Contains(t, txt.String(), `kept resource "Notice.pdf" (file, not created by passerelle: left alone)`)
	assert.Contains(t, txt.String(), `kept resource "Photo.jpg" (file, not created by passerelle: left alone)`)
	rep := e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)

	e.fake.ResetCounts()
	e.sync(t, items, ApplyOptions{})
	assert.Equal(t, 0, e.fake.Writes(), "hand-made resources cause no update")
}

// Item 3: datasets data.gouv.fr harvested from our feed carry
// harvest.remote_id = our dct:identifier and no extras of ours. Switching
// the organization to push mode adopts them instead of creating copies.
func TestAdoptHarvested(t *testing.T) {
	e := newEnv(t)
	items := makeItems(4)
	rehash(items)
	const source = "5f00000000000000000000ff"
	var harvested []string
	for i := range items[:3] {
		it := &items[i]
		res := []any{}
		for _, r := range it.Resources {
			res = append(res, map[string]any{"title": r.Title, "url": r.URL, "filetype": "remote", "type": r.Type, "format": r.Format})
		}
		body := map[string]any{"title": it.Title, "description": "Moissonné", "organization": e.org.DatagouvID,
			"tags": []string{"moissonne"}, "resources": res}
		if i == 2 {
			body["archived"] = "2026-11-01T00:00:00+00:00" // autoarchived after the feed was switched off
		}
		id, err := e.fake.SeedHarvested(body, map[string]any{"remote_id": remoteID(it), "source_id": source,
			"domain": "passerelle.example.fr", "backend": "DCAT"})
		require.NoError(t, err)
		harvested = append(harvested, id)
	}
	// A harvested dataset of another record is not ours: left alone.
	other, err := e.fake.SeedHarvested(map[string]any{"title": "Autre", "description": "d", "organization": e.org.DatagouvID},
		map[string]any{"remote_id": "https://id.example.fr/autre", "source_id": source})
	require.NoError(t, err)
	d0 := harvested[0]
	e.addHandMade(t, d0, udatafake.Resource{Title: "Notice.pdf", URL: "https://static.data.gouv.fr/resources/plu/notice.pdf"})

	p := e.plan(t, items, false)
	assert.Equal(t, map[string]int{"adopt": 3, "create": 1, "unchanged": 0}, p.Counts())
	var txt bytes.Buffer
	require.NoError(t, p.WriteText(&txt))
	assert.Contains(t, txt.String(), "harvested by data.gouv.fr from harvest source "+source)
	rep := e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 5, "no copy made")
	for i, id := range harvested {
		assert.Equal(t, id, datasetOf(t, e, remoteID(&items[i])).ID)
	}
	o, _ := e.fake.Dataset(other)
	assert.Empty(t, o.Extras)

	e.fake.ResetCounts()
	p = e.plan(t, items, false)
	assert.Empty(t, p.Actions)
	e.apply(t, p, ApplyOptions{})
	assert.Equal(t, 0, e.fake.Writes())
}

// Item 3, second half: a pushed dataset whose extras were removed by hand
// is recognised by the marks on its resources and adopted, not copied.
func TestAdoptAfterExtrasRemoved(t *testing.T) {
	e := newEnv(t)
	items := makeItems(2)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	id := datasetOf(t, e, remoteID(&items[1])).ID
	e.fake.Mutate(id, func(d *udatafake.Dataset) { d.Extras = map[string]any{} })

	p := e.plan(t, items, false)
	require.Len(t, p.Actions, 1, "%+v", p.Actions)
	assert.Equal(t, KindAdopt, p.Actions[0].Kind)
	assert.Equal(t, id, p.Actions[0].DatasetID)
	rep := e.apply(t, p, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	assert.Len(t, e.fake.Datasets(e.org.DatagouvID), 2)
}

// Item 4: access_type and its reason go out with the item (a restricted
// record never goes out as open), on create and on update.
func TestAccessTypeSent(t *testing.T) {
	e := newEnv(t)
	items := makeItems(3)
	items[0].AccessType, items[0].AccessTypeReason = "restricted", "Directive 2007/2/CE (INSPIRE), Article 13.1.d"
	items[1].AccessType = "open"
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	e.assertState(t, items)

	items[0].AccessType, items[0].AccessTypeReason = "open", ""
	items[1].AccessType, items[1].AccessTypeReason = "open_with_account", "Inscription requise"
	rehash(items)
	rep := e.sync(t, items, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
}

// Item 5: zones set by hand on data.gouv.fr are kept, and the geometry is
// no longer sent for that dataset (udata refuses geom while zones are
// set); other datasets keep getting their geometry.
func TestZonesSetByHandKept(t *testing.T) {
	e := newEnv(t)
	items := makeItems(2)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	id := datasetOf(t, e, remoteID(&items[0])).ID
	e.fake.Mutate(id, func(d *udatafake.Dataset) {
		d.Spatial = map[string]any{"geom": nil, "zones": []any{"fr:commune:35238"}, "granularity": "fr:commune"}
	})
	for i := range items {
		items[i].Title += " (révisé)"
		items[i].Spatial.Geom["coordinates"] = []any{[]any{[]any{
			[]float64{-2, 47}, []float64{-1, 47}, []float64{-1, 48}, []float64{-2, 48}, []float64{-2, 47}}}}
	}
	rehash(items)
	rep := e.sync(t, items, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	d, _ := e.fake.Dataset(id)
	assert.Equal(t, []any{"fr:commune:35238"}, d.Spatial["zones"])
	assert.Nil(t, d.Spatial["geom"])
}

// Items without a period clear it; a geometry is never cleared by a
// null (udata ignores "spatial": null): an item that loses its bbox
// leaves the last geometry in place, which the README states.
func TestPeriodClearedGeometryKept(t *testing.T) {
	e := newEnv(t)
	items := makeItems(1)
	rehash(items)
	e.sync(t, items, ApplyOptions{})
	old := items[0].Spatial
	items[0].TemporalCoverage, items[0].Spatial = nil, nil
	rehash(items)
	rep := e.sync(t, items, ApplyOptions{})
	require.Equal(t, 0, rep.ExitCode(), rep.Results)
	e.assertState(t, items)
	d := datasetOf(t, e, remoteID(&items[0]))
	assert.Equal(t, asJSON(t, old.Geom), asJSON(t, d.Spatial["geom"]))
}
