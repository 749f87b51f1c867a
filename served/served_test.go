package served_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/harvest"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/served"
)

type env struct {
	cfg   *config.Config
	store cache.Store
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	path := filepath.Join(root, "catalogs.toml")
	toml := `[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "demo"
title = "Démo"
dir = "` + filepath.Join(testenv.ModuleRoot(), "testdata", "demo") + `"

[[organization]]
id = "reste"
title = "Les autres"
datagouv_id = "65a0de0000000000000000b2"
mode = "push"
  [[organization.source]]
  catalog = "demo"
  producers = ["*"]
`
	require.NoError(t, os.WriteFile(path, []byte(toml), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return &env{cfg: cfg, store: st}
}

func (e *env) harvest(t *testing.T) {
	t.Helper()
	h := &harvest.Harvester{Store: e.store}
	rep, err := h.Run(context.Background(), e.cfg, e.cfg.Catalog("demo"), harvest.Options{})
	require.NoError(t, err)
	require.Equal(t, harvest.StatusOK, rep.Status)
}

// TestDomainErrors: the served layer answers with domain errors (no HTTP):
// unknown names are ErrNotFound with a client-safe message, a catalog never
// harvested is ErrNotReady, for views and for push's organization items.
func TestDomainErrors(t *testing.T) {
	e := newEnv(t)
	s := served.New(e.store, 0)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		kind error
		msg  string
	}{
		{"unknown catalog", func() error { _, err := s.CatalogView(ctx, e.cfg, "nope"); return err }, served.ErrNotFound, `no catalog "nope"`},
		{"unknown organization", func() error { _, err := s.OrganizationView(ctx, e.cfg, "nope"); return err }, served.ErrNotFound, `no organization "nope"`},
		{"catalog not harvested", func() error { _, err := s.CatalogView(ctx, e.cfg, "demo"); return err }, served.ErrNotReady,
			`catalog "demo" has not been harvested successfully yet: nothing to serve`},
		{"organization not harvested", func() error { _, err := s.OrganizationView(ctx, e.cfg, "reste"); return err }, served.ErrNotReady,
			`catalog "demo" has not been harvested successfully yet: nothing to serve`},
		{"push items not harvested", func() error { _, _, err := served.OrganizationItems(ctx, e.store, e.cfg, "reste"); return err }, served.ErrNotReady,
			`catalog "demo" has not been harvested successfully yet: nothing to serve`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, tc.kind)
			var se *served.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.msg, se.Msg)
		})
	}
	e.harvest(t)
	t.Run("producer unknown after harvest", func(t *testing.T) {
		_, err := s.ProducerView(ctx, e.cfg, "demo", "nope")
		require.ErrorIs(t, err, served.ErrNotFound)
	})
}

// TestOrganizationItems: after a harvest, an organization's items are its
// records minus services, without quality and source (what push sends).
func TestOrganizationItems(t *testing.T) {
	e := newEnv(t)
	e.harvest(t)
	items, partial, err := served.OrganizationItems(context.Background(), e.store, e.cfg, "reste")
	require.NoError(t, err)
	assert.False(t, partial)
	require.NotEmpty(t, items)
	v, err := served.New(e.store, 0).OrganizationView(context.Background(), e.cfg, "reste")
	require.NoError(t, err)
	services := 0
	for _, r := range v.Records {
		if r.Entry.Type == "service" {
			services++
		}
	}
	assert.Equal(t, len(v.Records)-services, len(items))
	for _, it := range items {
		assert.Nil(t, it.Quality)
		assert.Nil(t, it.Source)
		assert.Equal(t, "demo", it.Extras["passerelle:catalog"])
	}
}

// countingStore counts the reads of full fragments.
type countingStore struct {
	cache.Store
	fragGets atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if strings.HasPrefix(key, "frag/") {
		c.fragGets.Add(1)
	}
	return c.Store.Get(ctx, key)
}

// TestHeadsFromWarm: after Warm, a fresh server orders a feed from the
// heads Warm stored (one bulk read), without reading or mapping a single
// full fragment; the heads equal those of the fragments.
func TestHeadsFromWarm(t *testing.T) {
	e := newEnv(t)
	e.harvest(t)
	n, err := served.Warm(context.Background(), e.store, e.cfg, "demo")
	require.NoError(t, err)
	require.Equal(t, 20, n)
	cs := &countingStore{Store: e.store}
	s := served.New(cs, 0)
	ctx := context.Background()
	v, err := s.CatalogView(ctx, e.cfg, "demo")
	require.NoError(t, err)
	s.Fragments(ctx, e.cfg, v)
	assert.Zero(t, cs.fragGets.Load(), "heads come from the store, not from fragments")
	for _, r := range v.Records {
		h, err := s.Head(ctx, e.cfg, v.Catalogs[0], r)
		require.NoError(t, err)
		f, err := s.Fragment(ctx, e.cfg, v.Catalogs[0], r)
		require.NoError(t, err)
		assert.Equal(t, f.FileIdentifier(), h.FileIdentifier())
		assert.Equal(t, f.Identifier(), h.Identifier())
		assert.Equal(t, f.Kind(), h.Kind())
		assert.Equal(t, f.Links(), h.Links())
		assert.Zero(t, h.Len(), "a head holds no triples")
	}
	assert.Equal(t, int64(len(v.Records)), cs.fragGets.Load(), "full fragments are read only when asked for")
}

// parsedCountingStore records the hashes of every ParsedRecords read.
type parsedCountingStore struct {
	cache.Store
	reads [][]string
}

func (c *parsedCountingStore) ParsedRecords(ctx context.Context, catalog string, hashes []string) ([][]byte, error) {
	c.reads = append(c.reads, append([]string(nil), hashes...))
	return c.Store.ParsedRecords(ctx, catalog, hashes)
}

// TestCSWEntriesHoldNoModels: the facade's entries keep their index, not
// their model; an answer reads the models of the page it writes in one
// store read through CSWModels and is byte-identical to the answer built
// from models held in memory; a filter over every entry reads none.
func TestCSWEntriesHoldNoModels(t *testing.T) {
	e := newEnv(t)
	e.harvest(t)
	cs := &parsedCountingStore{Store: e.store}
	s := served.New(cs, 0)
	ctx := context.Background()
	v, err := s.CatalogView(ctx, e.cfg, "demo")
	require.NoError(t, err)
	entries, err := s.CSWEntries(ctx, v)
	require.NoError(t, err)
	require.Len(t, entries, 20)
	for _, en := range entries {
		assert.Nil(t, en.Record, en.ID)
	}

	// The same entries with their models held, as before.
	models, err := s.CSWModels(ctx, entries)
	require.NoError(t, err)
	held := make([]*facade.Entry, len(entries))
	for i, en := range entries {
		require.NotNil(t, models[i])
		assert.Equal(t, en.ID, models[i].FileIdentifier)
		held[i] = &facade.Entry{ID: en.ID, Identifier: en.Identifier, Record: models[i], Organisations: en.Organisations,
			Modified: en.Modified, Type: en.Type, Catalog: en.Catalog, Hash: en.Hash}
	}

	f := &facade.Facade{Models: s.CSWModels}
	ep := facade.Endpoint{URL: "http://127.0.0.1:8080/catalogs/demo/csw"}
	for _, q := range []string{
		"elementSetName=full&maxRecords=5&startPosition=3",
		"elementSetName=summary&outputSchema=http://www.isotc211.org/2005/gmd&maxRecords=7",
		"outputSchema=http://www.w3.org/2005/Atom&maxRecords=4",
		"elementName=dc:title,dct:abstract&maxRecords=6",
	} {
		t.Run(q, func(t *testing.T) {
			vals, err := url.ParseQuery("service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&" + q)
			require.NoError(t, err)
			req, err := facade.ParseKVP(vals)
			require.NoError(t, err)
			want := vals.Get("maxRecords")
			cs.reads = nil
			status, _, got := f.Serve(ctx, ep, req, entries)
			require.Equal(t, 200, status, string(got))
			require.Len(t, cs.reads, 1, "one store read per page")
			assert.Equal(t, want, strconv.Itoa(len(cs.reads[0])))
			_, _, fromHeld := (&facade.Facade{}).Serve(ctx, ep, req, held)
			assert.Equal(t, string(fromHeld), string(got))
		})
	}

	t.Run("filter over every entry reads no model", func(t *testing.T) {
		req, err := facade.ParseKVP(url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"},
			"typeNames": {"csw:Record"}, "resultType": {"hits"}, "constraintLanguage": {"CQL_TEXT"},
			"constraint": {"AnyText LIKE '%eau%' AND dc:type = 'dataset'"}, "sortBy": {"dc:title:D"}})
		require.NoError(t, err)
		cs.reads = nil
		status, _, body := f.Serve(ctx, ep, req, entries)
		require.Equal(t, 200, status, string(body))
		assert.Empty(t, cs.reads)
	})

	t.Run("a record no longer stored is an error", func(t *testing.T) {
		gone := &facade.Entry{ID: entries[0].ID, Catalog: entries[0].Catalog, Hash: strings.Repeat("0", 64)}
		_, err := s.CSWModels(ctx, []*facade.Entry{gone})
		require.Error(t, err)
	})
}
