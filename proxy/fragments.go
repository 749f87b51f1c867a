package proxy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/iso"
)

// mapOptions are the DCAT mapping options of a catalog under a configuration.
func mapOptions(cfg *config.Config, catalog string) dcat.Options {
	opt := dcat.Options{PublicURL: cfg.Server.PublicURL, Catalog: dcat.CatalogInfo{ID: catalog}}
	if c := cfg.Catalog(catalog); c != nil {
		opt.Catalog.Title, opt.Catalog.Description, opt.Catalog.Publisher = c.Title, c.Description, c.Publisher
	}
	return opt
}

// mapInput is what Map gets for a record.
func mapInput(r *record, producers map[string]string) dcat.Input {
	in := dcat.Input{
		Record:         r.rec,
		FileIdentifier: r.entry.ID,
		Identifier:     r.entry.Identifier,
		Hash:           r.entry.Hash,
		FirstStored:    r.entry.FirstStored,
	}
	if len(r.entry.Producers) > 0 {
		in.ProducerSlug = r.entry.Producers[0]
		in.Producer = producers[in.ProducerSlug]
	}
	return in
}

// FragmentKey is the cache key of a record's precomputed DCAT fragment: it
// changes with the record's content, the mapper version and every input the
// mapping reads from configuration or the snapshot.
func FragmentKey(catalog string, in dcat.Input, opt dcat.Options) string {
	h := sha256.New()
	for _, s := range []string{
		strconv.Itoa(dcat.MapperVersion), opt.PublicURL, opt.Catalog.ID, opt.Catalog.Title,
		opt.Catalog.Description, opt.Catalog.Publisher, in.Hash, in.FileIdentifier, in.Identifier,
		in.Producer, in.ProducerSlug, in.RecordURL, in.FirstStored.UTC().Format(time.RFC3339Nano),
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "frag/" + catalog + "/" + hex.EncodeToString(h.Sum(nil)[:16])
}

// fragmentTTL bounds how long an unused fragment stays in the store.
const fragmentTTL = 30 * 24 * time.Hour

// fragment returns the record's DCAT fragment: from memory, else from the
// store (precomputed by Warm after a harvest), else mapped now. Fragments
// mapped on the request path stay in memory only: one store write per
// record would cost a disk sync each.
func (s *Server) fragment(ctx context.Context, cfg *config.Config, data *catalogData, r *record) (*dcat.Fragment, error) {
	r.fragOnce.Do(func() {
		opt := mapOptions(cfg, r.catalog)
		in := mapInput(r, data.snap.Producers)
		// Fragments are kept compacted: every record of every catalog
		// stays in memory, a page decodes only its own.
		if !s.state.storeDown() {
			b, ok, err := s.state.store.Get(ctx, FragmentKey(r.catalog, in, opt))
			s.state.noteStoreErr(err)
			if err == nil && ok {
				if f, err := dcat.UnmarshalFragment(b); err == nil {
					f.Compact()
					r.frag = f
					return
				}
			}
		}
		f, err := dcat.Map(in, opt)
		if err != nil {
			r.fragErr = fmt.Errorf("map record %q of %q: %w", r.entry.ID, r.catalog, err)
			return
		}
		f.Compact()
		r.frag = f
	})
	return r.frag, r.fragErr
}

// fragments maps every record of a view, on every core.
func (s *Server) fragments(ctx context.Context, cfg *config.Config, v *view) {
	work := make(chan *record)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				_, _ = s.fragment(ctx, cfg, v.dataOf(r.catalog), r)
			}
		}()
	}
	for _, r := range v.records {
		work <- r
	}
	close(work)
	wg.Wait()
}

// prepareFragments maps (or reads from the store) the fragment of every
// record of a newly loaded generation, on every core.
func (s *Server) prepareFragments(ctx context.Context, cfg *config.Config, data *catalogData) {
	work := make(chan *record)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				_, _ = s.fragment(ctx, cfg, data, r)
			}
		}()
	}
	for _, r := range data.records {
		work <- r
	}
	close(work)
	wg.Wait()
}

// Warm precomputes, after a harvest, the DCAT fragment of every record of a
// catalog's current snapshot that the store does not hold yet for the
// current mapper version and configuration, and stores them in batches.
// Serving processes then read fragments instead of mapping records.
func Warm(ctx context.Context, st cache.Store, cfg *config.Config, catalog string) (mapped int, err error) {
	snap, err := st.Snapshot(ctx, catalog)
	if err != nil {
		return 0, fmt.Errorf("warm %q: %w", catalog, err)
	}
	opt := mapOptions(cfg, catalog)
	// Records are read a chunk at a time: memory does not grow with the
	// catalog.
	const chunk = 200
	for start := 0; start < len(snap.Entries); start += chunk {
		entries := snap.Entries[start:min(start+chunk, len(snap.Entries))]
		todo := make(map[string]*record, len(entries))
		var hashes []string
		for _, e := range entries {
			r := &record{entry: e, catalog: catalog}
			key := FragmentKey(catalog, mapInput(r, snap.Producers), opt)
			if _, ok, err := st.Get(ctx, key); err != nil {
				return mapped, fmt.Errorf("warm %q: %w", catalog, err)
			} else if !ok {
				todo[key] = r
				hashes = append(hashes, e.Hash)
			}
		}
		if len(todo) == 0 {
			continue
		}
		stored, err := st.Records(ctx, catalog, hashes)
		if err != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, err)
		}
		byHash := make(map[string]*cache.StoredRecord, len(stored))
		for i := range stored {
			byHash[stored[i].Hash] = &stored[i]
		}
		pending := make(map[string][]byte, len(todo))
		for key, r := range todo {
			sr := byHash[r.entry.Hash]
			if sr == nil || len(sr.Parsed) == 0 {
				continue
			}
			var rec iso.Record
			if err := json.Unmarshal(sr.Parsed, &rec); err != nil {
				continue // reported when served
			}
			r.rec = &rec
			f, err := dcat.Map(mapInput(r, snap.Producers), opt)
			if err != nil {
				continue // reported when served
			}
			b, err := f.MarshalBinary()
			if err != nil {
				return mapped, fmt.Errorf("warm %q: encode fragment: %w", catalog, err)
			}
			pending[key] = b
		}
		if err := st.SetMany(ctx, pending, fragmentTTL); err != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, err)
		}
		mapped += len(pending)
	}
	return mapped, nil
}

// WarmUp loads every catalog's snapshot and maps its records, so the first
// feed requests after start are fast. It is meant to run in the background
// and stops with ctx.
func (s *Server) WarmUp(ctx context.Context) {
	cfg := s.config()
	for _, cat := range cfg.Catalogs {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		v, err := s.state.catalogView(ctx, cfg, cat.ID)
		if err != nil {
			continue // not harvested yet: answered 503 until it is
		}
		s.fragments(ctx, cfg, v)
		s.log.Info("catalog loaded", "catalog", cat.ID, "records", len(v.records), "duration_ms", time.Since(start).Milliseconds())
	}
}
