package push

import (
	"context"
	"fmt"
	"sort"
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
	return &testEnv{fake: f, base: srv.URL, user: u, org: Org{ConfigID: "ddt99", DatagouvID: o.ID, Title: o.Name}, client: c}
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
			Extras: map[string]any{
				ExtraRemoteID: fmt.Sprintf("https://id.example.fr/plu/%03d", i),
				ExtraCatalog:  "geoide",
			},
			Resources: []dcat.Resource{
				{Title: "Zonage (WMS)", URL: "https://geo.example.fr/wms", Filetype: "remote", Type: "api", Format: "wms"},
				{Title: fmt.Sprintf("Prescriptions %03d (WMS)", i), URL: "https://geo.example.fr/wms", Filetype: "remote", Type: "api", Format: "wms"},
				{Title: "Archive", URL: fmt.Sprintf("https://files.example.fr/plu-%03d.zip", i), Filetype: "remote", Type: "main", Format: "zip", Filesize: 1000 + int64(i)},
			},
		}
	}
	return items
}

// rehash sets passerelle:hash as dcat would.
func rehash(items []dcat.Item) {
	for i := range items {
		delete(items[i].Extras, ExtraHash)
		items[i].Extras[ExtraHash] = ItemHash(&items[i])
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

// assertState checks the fake holds exactly the desired items: one live,
// unarchived dataset per remote id, with the desired fields, resources
// and extras, and no other live unarchived dataset of ours.
func (e *testEnv) assertState(t testing.TB, items []dcat.Item) {
	t.Helper()
	byRID := map[string][]udatafake.Dataset{}
	for _, d := range e.fake.Datasets(e.org.DatagouvID) {
		if rid, _ := d.Extras[ExtraRemoteID].(string); rid != "" && d.Deleted == nil {
			byRID[rid] = append(byRID[rid], d)
		}
	}
	want := map[string]bool{}
	for i := range items {
		it := &items[i]
		rid := remoteID(it)
		want[rid] = true
		ds := byRID[rid]
		if !assert.Len(t, ds, 1, "datasets for %s", rid) {
			continue
		}
		d := ds[0]
		assert.Nil(t, d.Archived, rid)
		assert.Equal(t, it.Title, d.Title, rid)
		assert.Equal(t, it.Description, d.Description, rid)
		assert.Equal(t, it.Tags, d.Tags, rid)
		assert.Equal(t, it.License, d.License, rid)
		assert.Equal(t, ItemHash(it), d.Extras[ExtraHash], rid)
		assert.Equal(t, it.Extras[ExtraCatalog], d.Extras[ExtraCatalog], rid)
		var got, exp []string
		for _, r := range d.Resources {
			got = append(got, fmt.Sprintf("%s|%s|%s|%s|%d", r.URL, r.Title, r.Format, r.Type, r.Filesize))
		}
		for _, r := range it.Resources {
			exp = append(exp, fmt.Sprintf("%s|%s|%s|%s|%d", r.URL, r.Title, r.Format, r.Type, r.Filesize))
		}
		sort.Strings(got)
		sort.Strings(exp)
		assert.Equal(t, exp, got, "resources of %s", rid)
	}
	for rid, ds := range byRID {
		if !want[rid] {
			for _, d := range ds {
				assert.NotNil(t, d.Archived, "%s is not desired and should be archived", rid)
			}
		}
	}
}
