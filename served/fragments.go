package served

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/iso"
)

// MapOptions are the DCAT mapping options of a catalog under a configuration.
func MapOptions(cfg *config.Config, catalog string) dcat.Options {
	opt := dcat.Options{PublicURL: cfg.Server.PublicURL, Catalog: dcat.CatalogInfo{ID: catalog}}
	if c := cfg.Catalog(catalog); c != nil {
		opt.Catalog.Title, opt.Catalog.Description, opt.Catalog.Publisher = c.Title, c.Description, c.Publisher
	}
	return opt
}

// MapInput is what dcat.Map gets for a record whose model is m (nil when
// only the fragment key is wanted).
func MapInput(r *Record, m *iso.Record, producers map[string]string) dcat.Input {
	in := dcat.Input{
		Record:         m,
		FileIdentifier: r.Entry.ID,
		Identifier:     r.Entry.Identifier,
		Hash:           r.Entry.Hash,
		FirstStored:    r.Entry.FirstStored,
	}
	if len(r.Entry.Producers) > 0 {
		in.ProducerSlug = r.Entry.Producers[0]
		in.Producer = producers[in.ProducerSlug]
	}
	return in
}

// FragmentKey is the cache key of a record's precomputed DCAT fragment: it
// changes with the record's content, the mapper version, the version of
// the parsed model it is mapped from (the snapshot's Model) and every input
// the mapping reads from configuration or the snapshot.
func FragmentKey(catalog string, model int, in dcat.Input, opt dcat.Options) string {
	h := sha256.New()
	for _, s := range []string{
		strconv.Itoa(dcat.MapperVersion), strconv.Itoa(model), opt.PublicURL, opt.Catalog.ID, opt.Catalog.Title,
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

// Fragment returns the record's full DCAT fragment: from the State's
// bounded fragment cache, else from the store (precomputed by Warm after a
// harvest), else mapped now. Fragments mapped on the request path are not
// written to the store (one store write per record would cost a disk sync
// each); they stay in the cache until evicted.
func (s *State) Fragment(ctx context.Context, cfg *config.Config, data *Catalog, r *Record) (*dcat.Fragment, error) {
	if f, ok := s.frags.get(r); ok {
		return f, nil
	}
	opt := MapOptions(cfg, r.CatalogID)
	in := MapInput(r, nil, data.Snap.Producers)
	if !s.StoreDown() {
		b, ok, err := s.store.Get(ctx, FragmentKey(r.CatalogID, data.Snap.Model, in, opt))
		s.NoteStoreErr(err)
		if err == nil && ok {
			if f, err := dcat.UnmarshalFragment(b); err == nil {
				f.Compact()
				s.frags.put(r, f, int64(len(b)))
				return f, nil
			}
		}
	}
	m, err := s.Model(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("map record %q of %q: %w", r.Entry.ID, r.CatalogID, err)
	}
	in.Record = m
	f, err := dcat.Map(in, opt)
	if err != nil {
		return nil, fmt.Errorf("map record %q of %q: %w", r.Entry.ID, r.CatalogID, err)
	}
	size := int64(f.Len())
	if b, err := f.MarshalBinary(); err == nil {
		size = int64(len(b))
	}
	f.Compact()
	s.frags.put(r, f, size)
	return f, nil
}

// Head returns the head of the record's fragment (dcat.Fragment.Head: what
// feeds are ordered by), built once per record; a record that does not map
// keeps its error.
func (s *State) Head(ctx context.Context, cfg *config.Config, data *Catalog, r *Record) (*dcat.Fragment, error) {
	r.headOnce.Do(func() {
		// Shared, kept work: a request leaving early does not leave the
		// record without a head for the whole generation.
		f, err := s.Fragment(context.WithoutCancel(ctx), cfg, data, r)
		if err != nil {
			r.headErr = err
			return
		}
		r.head = f.Head()
	})
	r.headDone.Store(true)
	return r.head, r.headErr
}

// PrepareHeads builds the fragment head of every record of a newly loaded
// catalog (stored heads in bulk, else from the fragments), so that it can
// replace the served generation without requests waiting for it.
func (s *State) PrepareHeads(ctx context.Context, cfg *config.Config, data *Catalog) {
	s.Fragments(ctx, cfg, &View{Kind: "catalog", ID: data.ID, Catalogs: []*Catalog{data}, Records: data.Records})
}

// PageFragments returns the full fragments of these records, in order.
func (s *State) PageFragments(ctx context.Context, cfg *config.Config, v *View, recs []*Record) ([]*dcat.Fragment, error) {
	out := make([]*dcat.Fragment, len(recs))
	for i, r := range recs {
		f, err := s.Fragment(ctx, cfg, v.DataOf(r.CatalogID), r)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// Fragments builds the head of every record of a view: the heads Warm
// stored are read in bulk (a few hundred bytes each, GetMany), the others
// come from the fragment (store or mapping) on every core; the full
// fragments go through the bounded cache.
func (s *State) Fragments(ctx context.Context, cfg *config.Config, v *View) {
	ctx = context.WithoutCancel(ctx) // shared, kept work (see Head)
	var todo []*Record
	for _, r := range v.Records {
		if !r.headDone.Load() {
			todo = append(todo, r)
		}
	}
	const bulk = 1000
	var rest []*Record
	for start := 0; start < len(todo); start += bulk {
		chunk := todo[start:min(start+bulk, len(todo))]
		keys := make([]string, len(chunk))
		for i, r := range chunk {
			data := v.DataOf(r.CatalogID)
			keys[i] = headKey(FragmentKey(r.CatalogID, data.Snap.Model, MapInput(r, nil, data.Snap.Producers), MapOptions(cfg, r.CatalogID)))
		}
		var vals [][]byte
		var err error
		if !s.StoreDown() {
			vals, err = s.store.GetMany(ctx, keys)
			s.NoteStoreErr(err)
		}
		if vals == nil || err != nil {
			rest = append(rest, chunk...)
			continue
		}
		for i, r := range chunk {
			if vals[i] == nil {
				rest = append(rest, r)
				continue
			}
			h, err := dcat.UnmarshalFragment(vals[i])
			if err != nil {
				rest = append(rest, r)
				continue
			}
			r.headOnce.Do(func() { r.head = h })
			r.headDone.Store(true)
		}
	}
	work := make(chan *Record)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				_, _ = s.Head(ctx, cfg, v.DataOf(r.CatalogID), r)
			}
		}()
	}
	for _, r := range rest {
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
	opt := MapOptions(cfg, catalog)
	// Records are read a chunk at a time: memory does not grow with the
	// catalog.
	const chunk = 200
	for start := 0; start < len(snap.Entries); start += chunk {
		entries := snap.Entries[start:min(start+chunk, len(snap.Entries))]
		todo := make(map[string]*Record, len(entries))
		var hashes []string
		keys := make([]string, len(entries))
		heads := make([]string, len(entries))
		for i, e := range entries {
			keys[i] = FragmentKey(catalog, snap.Model, MapInput(&Record{Entry: e, CatalogID: catalog}, nil, snap.Producers), opt)
			heads[i] = headKey(keys[i])
		}
		// A record is done when its head is stored (written with its
		// fragment, in one SetMany).
		have, err := st.GetMany(ctx, heads)
		if err != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, err)
		}
		for i, e := range entries {
			if have[i] == nil {
				todo[keys[i]] = &Record{Entry: e, CatalogID: catalog}
				hashes = append(hashes, e.Hash)
			}
		}
		if len(todo) == 0 {
			continue
		}
		stored, err := st.ParsedRecords(ctx, catalog, hashes) // models only, not the raw bytes
		if err != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, err)
		}
		byHash := make(map[string][]byte, len(stored))
		for i := range stored {
			byHash[hashes[i]] = stored[i]
		}
		// Decode and map on every core; store the chunk in one write.
		pending := make(map[string][]byte, len(todo))
		var mu sync.Mutex
		var encErr error
		work := make(chan string)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for key := range work {
					b, head, err := warmOne(byHash[todo[key].Entry.Hash], todo[key], snap.Producers, opt)
					mu.Lock()
					switch {
					case err != nil && encErr == nil:
						encErr = err
					case b != nil:
						pending[key] = b
						pending[headKey(key)] = head
					}
					mu.Unlock()
				}
			}()
		}
		for key := range todo {
			work <- key
		}
		close(work)
		wg.Wait()
		if encErr != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, encErr)
		}
		if err := st.SetMany(ctx, pending, fragmentTTL); err != nil {
			return mapped, fmt.Errorf("warm %q: %w", catalog, err)
		}
		mapped += len(pending) / 2
	}
	return mapped, nil
}

// warmOne maps one record's parsed model to its encoded fragment and head; nil (no
// error) when the record has no model or does not map: that is reported
// when it is served.
func warmOne(parsed []byte, r *Record, producers map[string]string, opt dcat.Options) (frag, head []byte, err error) {
	if len(parsed) == 0 {
		return nil, nil, nil
	}
	var rec iso.Record
	if err := json.Unmarshal(parsed, &rec); err != nil {
		return nil, nil, nil
	}
	f, err := dcat.Map(MapInput(r, &rec, producers), opt)
	if err != nil {
		return nil, nil, nil
	}
	if frag, err = f.MarshalBinary(); err != nil {
		return nil, nil, fmt.Errorf("encode fragment: %w", err)
	}
	if head, err = f.Head().MarshalBinary(); err != nil {
		return nil, nil, fmt.Errorf("encode fragment head: %w", err)
	}
	return frag, head, nil
}

// headKey is the store key of a fragment's head (dcat.Fragment.Head),
// stored beside the fragment by Warm.
func headKey(fragmentKey string) string {
	return "head/" + strings.TrimPrefix(fragmentKey, "frag/")
}

// WarmUp loads the snapshot of the catalogs named (every catalog when none
// is) and maps their records, so the first feed requests after start, or
// after a catalog's harvest, are fast. It is meant to run in the background
// and stops with ctx.
func (s *State) WarmUp(ctx context.Context, cfg *config.Config, log *slog.Logger, only ...string) {
	for _, cat := range cfg.Catalogs {
		if ctx.Err() != nil {
			return
		}
		if len(only) > 0 && !slices.Contains(only, cat.ID) {
			continue
		}
		start := time.Now()
		v, err := s.CatalogView(ctx, cfg, cat.ID)
		if err != nil {
			continue // not harvested yet: answered 503 until it is
		}
		s.Fragments(ctx, cfg, v)
		log.Info("catalog loaded", "catalog", cat.ID, "records", len(v.Records), "duration_ms", time.Since(start).Milliseconds())
	}
}
