package push

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/internal/udatafake"
)

type testEnv struct {
	fake   *udatafake.Fake
	base   string
	user   udatafake.User
	org    Org
	client *Client
	// handMade are resources people added on data.gouv.fr, per dataset
	// id: push must leave them as they are.
	handMade map[string][]udatafake.Resource
	// last is the last desired state asserted per remote id: an archived
	// dataset must keep it.
	last map[string]dcat.Item
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	f := udatafake.New(udatafake.Options{})
	u := f.AddUser(udatafake.User{FirstName: "Robot", LastName: "Passerelle", Email: "robot@example.fr"})
	f.AddAPIKey(u.ID, "key-"+u.ID)
	o := f.AddOrg(udatafake.Org{Name: "DDT 99", Members: []udatafake.Member{{UserID: u.ID, Role: "editor"}}})
	srv := f.Start(t)
	c, err := NewClient(Options{BaseURL: srv.URL, APIKey: "key-" + u.ID, Rate: -1, Backoff: time.Millisecond})
	require.NoError(t, err)
	return &testEnv{fake: f, base: srv.URL, user: u, org: Org{ConfigID: "ddt99", DatagouvID: o.ID, Title: o.Name}, client: c,
		handMade: map[string][]udatafake.Resource{}, last: map[string]dcat.Item{}}
}

// makeItems builds n desired items; several WMS layers share one URL.
func makeItems(n int) []dcat.Item {
	items := make([]dcat.Item, n)
	for i := range items {
		items[i] = dcat.Item{
			Title:            fmt.Sprintf("Plan local d'urbanisme %03d", i),
			Description:      fmt.Sprintf("Zonage du PLU de la commune %03d, mis à jour chaque année.", i),
			Tags:             []string{"urbanisme", "plu", fmt.Sprintf("commune-%03d", i)},
			License:          "lov2",
			Frequency:        "annual",
			TemporalCoverage: &dcat.TemporalCoverage{Start: "2020-01-01", End: "2025-12-31"},
			Spatial: &dcat.Spatial{Granularity: "other", Geom: map[string]any{"type": "MultiPolygon", "coordinates": []any{[]any{[]any{
				[]float64{-1.5, 48}, []float64{-1.4, 48}, []float64{-1.4, 48.1}, []float64{-1.5, 48.1}, []float64{-1.5, 48},
			}}}}},
			Extras: map[string]any{
				dcat.ExtraRemoteID: fmt.Sprintf("https://id.example.fr/plu/%03d", i),
				dcat.ExtraCatalog:  "geoide",
			},
			Resources: []dcat.Resource{
				{Title: "Zonage (WMS)", URL: "https://geo.example.fr/wms", Filetype: "remote", Type: "api", Format: "wms"},
				{Title: fmt.Sprintf("Prescriptions %03d (WMS)", i), URL: "https://geo.example.fr/wms", Filetype: "remote", Type: "api", Format: "wms"},
				{Title: "Archive", Description: "Zonage et règlement", URL: fmt.Sprintf("https://files.example.fr/plu-%03d.zip", i), Filetype: "remote", Type: "main", Format: "zip", Mime: "application/zip", Filesize: 1000 + int64(i)},
			},
		}
	}
	return items
}

// rehash sets passerelle:hash as dcat does.
func rehash(items []dcat.Item) {
	for i := range items {
		items[i].Extras[dcat.ExtraHash] = dcat.ItemHash(&items[i])
	}
}

type memStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func newMemStore() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Get(_ context.Context, k string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok, nil
}
func (s *memStore) Set(_ context.Context, k string, v []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}
func (s *memStore) Delete(_ context.Context, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

func (e *testEnv) plan(t testing.TB, items []dcat.Item, partial bool) *OrgPlan {
	t.Helper()
	p, err := Plan(context.Background(), e.client, e.org, items, partial)
	require.NoError(t, err)
	return p
}

func (e *testEnv) apply(t testing.TB, p *OrgPlan, opts ApplyOptions) *Report {
	t.Helper()
	r, err := Apply(context.Background(), e.client, p, opts)
	require.NoError(t, err)
	return r
}

// sync plans and applies; it returns the report.
func (e *testEnv) sync(t testing.TB, items []dcat.Item, opts ApplyOptions) *Report {
	t.Helper()
	return e.apply(t, e.plan(t, items, false), opts)
}

// addHandMade adds a resource to a dataset as a person would on
// data.gouv.fr and remembers it: assertState then requires it untouched.
func (e *testEnv) addHandMade(t testing.TB, datasetID string, r udatafake.Resource) {
	t.Helper()
	id := e.fake.AddResource(datasetID, r)
	require.NotEmpty(t, id)
	d, ok := e.fake.Dataset(datasetID)
	require.True(t, ok)
	for _, x := range d.Resources {
		if x.ID == id {
			e.handMade[datasetID] = append(e.handMade[datasetID], x)
		}
	}
}

// wantLicense is the licence data.gouv.fr keeps: none when access is not
// open.
func wantLicense(it *dcat.Item) string {
	if it.AccessType != "" && it.AccessType != "open" {
		return ""
	}
	return it.License
}

// asJSON normalises a value through JSON (nil stays nil).
func asJSON(t testing.TB, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func resourceLine(url, title, desc, format, mime, typ, filetype string, size int64) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%d", url, title, desc, format, mime, typ, filetype, size)
}

// assertState checks the fake holds exactly the desired items: one live,
// unarchived dataset per remote id, with every field push sends
// (title, description, tags, licence, frequency, temporal coverage,
// spatial coverage, access type and reason), every resource field by
// field (ours marked with their remote id, the hand-made ones untouched)
// and the extras; and that datasets of ours no longer desired are
// archived with their last period, coverage and tags intact.
func (e *testEnv) assertState(t testing.TB, items []dcat.Item) {
	t.Helper()
	byRID := map[string][]udatafake.Dataset{}
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		if rid, _ := d.Extras[dcat.ExtraRemoteID].(string); rid != "" && d.Deleted == nil {
			byRID[rid] = append(byRID[rid], d)
		}
	}
	want := map[string]bool{}
	for i := range items {
		it := &items[i]
		rid := remoteID(it)
		want[rid] = true
		e.last[rid] = *it
		ds := byRID[rid]
		if !assert.Len(t, ds, 1, "datasets for %s", rid) {
			continue
		}
		d := ds[0]
		assert.Nil(t, d.Archived, rid)
		assert.Equal(t, it.Title, d.Title, rid)
		assert.Equal(t, it.Description, d.Description, rid)
		assert.Equal(t, it.Tags, d.Tags, rid)
		assert.Equal(t, wantLicense(it), d.License, rid)
		freq := it.Frequency
		if freq == "" {
			freq = "unknown"
		}
		assert.Equal(t, freq, d.Frequency, "frequency of %s", rid)
		e.assertPeriodAndSpace(t, it, d)
		access := it.AccessType
		if access == "" {
			access = "open"
		}
		assert.Equal(t, access, d.AccessType, "access_type of %s", rid)
		assert.Equal(t, it.AccessTypeReason, d.AccessTypeReason, "access_type_reason of %s", rid)
		assert.Equal(t, dcat.ItemHash(it), d.Extras[dcat.ExtraHash], rid)
		assert.Equal(t, it.Extras[dcat.ExtraCatalog], d.Extras[dcat.ExtraCatalog], rid)

		var got, exp []string
		hand := map[string]bool{}
		for _, r := range e.handMade[d.ID] {
			hand[r.ID] = true
			exp = append(exp, r.ID+"|"+resourceLine(r.URL, r.Title, r.Description, r.Format, r.Mime, r.Type, r.Filetype, r.Filesize))
		}
		for _, r := range d.Resources {
			line := resourceLine(r.URL, r.Title, r.Description, r.Format, r.Mime, r.Type, r.Filetype, r.Filesize)
			if hand[r.ID] {
				line = r.ID + "|" + line
			} else {
				assert.Equal(t, rid, r.Extras[dcat.ExtraRemoteID], "resource %q of %s is marked as passerelle's", r.Title, rid)
			}
			got = append(got, line)
		}
		for _, r := range it.Resources {
			typ := r.Type
			if typ == "" {
				typ = "main"
			}
			exp = append(exp, resourceLine(r.URL, r.Title, r.Description, strings.ToLower(r.Format), r.Mime, typ, "remote", r.Filesize))
		}
		sort.Strings(got)
		sort.Strings(exp)
		assert.Equal(t, exp, got, "resources of %s", rid)
	}
	for rid, ds := range byRID {
		if want[rid] {
			continue
		}
		for _, d := range ds {
			if !assert.NotNil(t, d.Archived, "%s is not desired and should be archived", rid) {
				continue
			}
			if prev, ok := e.last[rid]; ok {
				assert.Equal(t, prev.Tags, d.Tags, "archived %s keeps its tags", rid)
				e.assertPeriodAndSpace(t, &prev, d)
			}
		}
	}
}

// assertPeriodAndSpace compares temporal and spatial coverage. An item
// without spatial coverage sends none: whatever is there stays.
func (e *testEnv) assertPeriodAndSpace(t testing.TB, it *dcat.Item, d udatafake.Dataset) {
	t.Helper()
	rid := remoteID(it)
	var tc any
	if it.TemporalCoverage != nil {
		tc = asJSON(t, it.TemporalCoverage)
	}
	var got any
	if d.TemporalCoverage != nil {
		got = asJSON(t, d.TemporalCoverage)
	}
	assert.Equal(t, tc, got, "temporal_coverage of %s", rid)
	if it.Spatial != nil && !hasZones(d) {
		if assert.NotNil(t, d.Spatial, "spatial of %s", rid) {
			assert.Equal(t, asJSON(t, it.Spatial.Geom), asJSON(t, d.Spatial["geom"]), "spatial geom of %s", rid)
			assert.Equal(t, it.Spatial.Granularity, d.Spatial["granularity"], "spatial granularity of %s", rid)
		}
	}
}

func hasZones(d udatafake.Dataset) bool {
	z, _ := d.Spatial["zones"].([]any)
	return len(z) > 0
}
