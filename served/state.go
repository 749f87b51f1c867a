package served

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/iso"
)

// Record is one served record: its snapshot entry and what the feeds and
// the facade derive from it, per snapshot generation. Its model, fragment
// and upstream bytes stay in the store until an answer needs them; the
// facade's entry holds only its search index, built from the model when
// the catalog's entries are loaded (State.CSWEntries).
type Record struct {
	Entry     cache.Entry
	CatalogID string
	// CSW is the facade's entry, nil until the catalog's entries are
	// loaded (and for a record stored without a model).
	CSW *facade.Entry

	headOnce sync.Once
	head     *dcat.Fragment // dcat.Fragment.Head of its fragment
	headErr  error
	headDone atomic.Bool // headOnce has run
}

// HeadReady reports whether the record's fragment head was built (it is
// ordered in feeds without waiting).
func (r *Record) HeadReady() bool { return r.headDone.Load() }

// Catalog is a catalog's snapshot loaded in memory. A value never changes:
// a new generation is a new Catalog.
type Catalog struct {
	ID      string
	Gen     int64
	Snap    *cache.Snapshot
	Records []*Record // sorted by fileIdentifier
	ByID    map[string]*Record

	modelsMu     sync.Mutex
	modelsLoaded bool
}

// State loads and caches catalog snapshots, reloading a catalog when the
// store's generation moves. Each request works on one consistent Catalog
// value. Safe for concurrent use.
type State struct {
	views    map[string]*View // memoized producer and organization views (mu)
	store    cache.Store
	recheck  time.Duration
	mu       sync.Mutex
	catalogs map[string]*catalogSlot
	frags    *fragmentCache
	// prepare, when set, readies a newly loaded generation before it
	// replaces the served one (SetPrepare).
	prepare func(ctx context.Context, data *Catalog)
	// downUntil (unix ns): the store answered ErrUnavailable (StoreDown).
	downUntil atomic.Int64
	// background: new generations load in the background (SetBackgroundReload).
	background bool
}

type catalogSlot struct {
	mu      sync.Mutex
	data    *Catalog
	checked time.Time
	// loaded mirrors data for the requests that find mu taken.
	loaded atomic.Pointer[Catalog]
	// reloading: a background reload of this catalog is under way (mu).
	reloading bool
}

// New returns a State reading st; a catalog's generation is read again
// when recheck has passed since the last look (0: on every call).
func New(st cache.Store, recheck time.Duration) *State {
	return &State{store: st, recheck: recheck, catalogs: map[string]*catalogSlot{}, frags: newFragmentCache(DefaultFragmentCacheBytes)}
}

// SetFragmentCacheBytes bounds the full fragments kept in memory (by their
// encoded size; default DefaultFragmentCacheBytes). Call before use.
func (s *State) SetFragmentCacheBytes(n int64) {
	if n > 0 {
		s.frags = newFragmentCache(n)
	}
}

// Store is the store the State reads.
func (s *State) Store() cache.Store { return s.store }

// Catalog returns the catalog's current data, loading it when the store
// has a newer generation. An error wrapping ErrNotReady when it has no
// snapshot.
func (s *State) Catalog(ctx context.Context, id string) (*Catalog, error) {
	s.mu.Lock()
	slot := s.catalogs[id]
	if slot == nil {
		slot = &catalogSlot{}
		s.catalogs[id] = slot
	}
	s.mu.Unlock()

	if !slot.mu.TryLock() {
		// Another request reads the generation or loads a snapshot (slow
		// when the store is down or the catalog large): serve what is
		// loaded instead of queueing behind it.
		if d := slot.loaded.Load(); d != nil {
			return d, nil
		}
		slot.mu.Lock()
	}
	defer slot.mu.Unlock()
	if slot.data != nil && time.Since(slot.checked) < s.recheck {
		return slot.data, nil
	}
	gen, err := s.store.Generation(ctx, id)
	if err != nil {
		s.NoteStoreErr(err)
		if slot.data != nil { // keep serving what we have; look again after recheck
			slot.checked = time.Now()
			return slot.data, nil
		}
		return nil, fmt.Errorf("read generation of %q: %w", id, err)
	}
	slot.checked = time.Now()
	if gen == 0 {
		return nil, errNoSnapshot
	}
	if slot.data != nil && slot.data.Gen == gen {
		return slot.data, nil
	}
	if slot.data != nil && s.background {
		if !slot.reloading {
			slot.reloading = true
			go s.reload(slot, id)
		}
		return slot.data, nil
	}
	data, err := load(ctx, s.store, id)
	if err != nil {
		if slot.data != nil {
			return slot.data, nil
		}
		return nil, err
	}
	if slot.data != nil && s.prepare != nil {
		s.prepare(ctx, data)
	}
	s.publish(slot, data)
	return data, nil
}

// reload loads a catalog's new generation and prepares it in the
// background, then publishes it; until then (and if it fails: the next
// recheck tries again) requests are served the current one.
func (s *State) reload(slot *catalogSlot, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	data, err := load(ctx, s.store, id)
	if err == nil && s.prepare != nil {
		s.prepare(ctx, data)
	}
	slot.mu.Lock()
	defer slot.mu.Unlock()
	slot.reloading = false
	if err != nil || (slot.data != nil && data.Gen <= slot.data.Gen) {
		return
	}
	s.publish(slot, data)
}

// publish makes data the slot's served generation (slot.mu held).
func (s *State) publish(slot *catalogSlot, data *Catalog) {
	slot.data = data
	slot.loaded.Store(data)
}

// SetBackgroundReload makes a new generation found while another is served
// load (and be prepared) in the background, requests keeping the served
// one until it is ready; otherwise the request that finds it waits for it,
// the others serving the current one meanwhile. Call before use.
func (s *State) SetBackgroundReload(on bool) { s.background = on }

// SetPrepare sets what readies a newly loaded generation before it replaces
// the served one (the server builds its fragment heads). Call before use.
func (s *State) SetPrepare(fn func(ctx context.Context, data *Catalog)) { s.prepare = fn }

// storePause is how long per-record store reads are skipped after the
// store was found unavailable.
const storePause = time.Second

// StoreDown reports whether the store was found unavailable less than
// storePause ago: per-record reads (fragments, models, raw records) are not
// tried meanwhile, so a page does not pay one failed round trip per record
// while Redis is down.
func (s *State) StoreDown() bool { return time.Now().UnixNano() < s.downUntil.Load() }

// NoteStoreErr remembers an unavailable store (see StoreDown).
func (s *State) NoteStoreErr(err error) {
	if errors.Is(err, cache.ErrUnavailable) {
		s.downUntil.Store(time.Now().Add(storePause).UnixNano())
	}
}

// Reset forgets every loaded catalog: after a configuration change, the
// fragments mapped with the previous options must not be served.
func (s *State) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogs = map[string]*catalogSlot{}
	s.views = nil
	s.frags.clear()
}

func load(ctx context.Context, st cache.Store, id string) (*Catalog, error) {
	snap, err := st.Snapshot(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, errNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot of %q: %w", id, err)
	}
	// Only the manifest is read: models, fragments and raw bytes stay in
	// the store until an answer needs them.
	data := &Catalog{ID: id, Gen: snap.Generation, Snap: snap, ByID: make(map[string]*Record, len(snap.Entries)),
		Records: make([]*Record, 0, len(snap.Entries))}
	for _, e := range snap.Entries {
		r := &Record{Entry: e, CatalogID: id}
		data.Records = append(data.Records, r)
		data.ByID[e.ID] = r
	}
	return data, nil
}

// modelChunk is how many records one store read loads.
const modelChunk = 200

// loadModels builds the facade entry of every record of a catalog, once
// per Catalog value (a failed load is retried next time): the CSW facade
// filters every record, so each entry's search index is built from its
// model, read and decoded a chunk at a time, and the model is dropped; the
// models of the records an answer writes are read again (CSWModels).
func (s *State) loadModels(ctx context.Context, data *Catalog) error {
	data.modelsMu.Lock()
	defer data.modelsMu.Unlock()
	if data.modelsLoaded {
		return nil
	}
	recs := data.Records
	for start := 0; start < len(recs); start += modelChunk {
		chunk := recs[start:min(start+modelChunk, len(recs))]
		models, err := s.readModels(ctx, data.ID, recordKeys(chunk))
		if err != nil {
			return err
		}
		for i, r := range chunk {
			m := models[i]
			if m == nil {
				continue // no model: never served by the facade
			}
			internModel(m) // the index keeps some of its strings for every record: share repeated ones
			e := r.Entry
			r.CSW = &facade.Entry{
				ID:            e.ID,
				Identifier:    e.Identifier,
				Organisations: append(append([]string(nil), e.ProducerNames...), displayOf(data.Snap, e.Producers)...),
				Modified:      m.Modified(),
				Type:          e.Type,
				Catalog:       data.ID,
				Hash:          e.Hash,
			}
			r.CSW.IndexModel(m) // m is not kept
		}
	}
	data.modelsLoaded = true
	return nil
}

// modelKey locates a record's model in the store of its catalog.
type modelKey struct{ id, hash string }

func recordKeys(recs []*Record) []modelKey {
	keys := make([]modelKey, len(recs))
	for i, r := range recs {
		keys[i] = modelKey{r.Entry.ID, r.Entry.Hash}
	}
	return keys
}

// readModels reads and decodes the models of these records of a catalog
// (nil for a record stored without one), in one store read.
func (s *State) readModels(ctx context.Context, catalog string, recs []modelKey) ([]*iso.Record, error) {
	hashes := make([]string, len(recs))
	for i, r := range recs {
		hashes[i] = r.hash
	}
	if s.StoreDown() {
		return nil, fmt.Errorf("read records of %q: %w", catalog, cache.ErrUnavailable)
	}
	stored, err := s.store.ParsedRecords(ctx, catalog, hashes) // the raw bytes stay in the store
	if err != nil {
		s.NoteStoreErr(err)
		return nil, fmt.Errorf("read records of %q: %w", catalog, err)
	}
	// Decoding dominates: on every core.
	out := make([]*iso.Record, len(recs))
	errs := make([]error, len(recs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(stored)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(stored); i = int(next.Add(1) - 1) {
				if len(stored[i]) == 0 {
					continue
				}
				var m iso.Record
				if err := json.Unmarshal(stored[i], &m); err != nil {
					errs[i] = fmt.Errorf("decode record %q of %q: %w", recs[i].id, catalog, err)
					continue
				}
				out[i] = &m
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Models returns the models of these records, in order, read from the
// store for this answer only (not kept), one read per catalog and chunk.
// A record stored without a model is an error.
func (s *State) Models(ctx context.Context, recs []*Record) ([]*iso.Record, error) {
	keys := make([]modelKey, len(recs))
	catalogs := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = modelKey{r.Entry.ID, r.Entry.Hash}
		catalogs[i] = r.CatalogID
	}
	return s.models(ctx, catalogs, keys)
}

// CSWModels reads the models of facade entries (Entry.Catalog and
// Entry.Hash), in order: the facade's Models accessor, called with the
// records of the page an answer writes. An entry whose record is no longer
// stored (its catalog was harvested again and the old record removed
// since the entries were built) is an error.
func (s *State) CSWModels(ctx context.Context, es []*facade.Entry) ([]*iso.Record, error) {
	keys := make([]modelKey, len(es))
	catalogs := make([]string, len(es))
	for i, e := range es {
		keys[i] = modelKey{e.ID, e.Hash}
		catalogs[i] = e.Catalog
	}
	return s.models(ctx, catalogs, keys)
}

func (s *State) models(ctx context.Context, catalogs []string, keys []modelKey) ([]*iso.Record, error) {
	out := make([]*iso.Record, len(keys))
	byCatalog := map[string][]int{} // catalog → indexes to read
	var order []string
	for i, c := range catalogs {
		if _, ok := byCatalog[c]; !ok {
			order = append(order, c)
		}
		byCatalog[c] = append(byCatalog[c], i)
	}
	for _, catalog := range order {
		idx := byCatalog[catalog]
		for start := 0; start < len(idx); start += modelChunk {
			part := idx[start:min(start+modelChunk, len(idx))]
			chunk := make([]modelKey, len(part))
			for j, i := range part {
				chunk[j] = keys[i]
			}
			models, err := s.readModels(ctx, catalog, chunk)
			if err != nil {
				return nil, err
			}
			for j, i := range part {
				if models[j] == nil {
					return nil, fmt.Errorf("record %q of %q has no model", keys[i].id, catalog)
				}
				out[i] = models[j]
			}
		}
	}
	return out, nil
}

// Model returns one record's model (see Models).
func (s *State) Model(ctx context.Context, r *Record) (*iso.Record, error) {
	ms, err := s.Models(ctx, []*Record{r})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

func displayOf(snap *cache.Snapshot, slugs []string) []string {
	out := make([]string, 0, len(slugs))
	for _, s := range slugs {
		if n := snap.Producers[s]; n != "" {
			out = append(out, n)
		}
	}
	return out
}

// View is the set of records behind one URL: a catalog, a producer of a
// catalog, or an organization (records of several catalogs).
type View struct {
	Kind     string // "catalog", "producer", "organization"
	ID       string // catalog id, catalog/producer slug, or organization id
	Title    string
	Catalogs []*Catalog
	Records  []*Record
	Created  time.Time // newest snapshot time among the catalogs
	Oldest   time.Time // oldest snapshot time among the catalogs
	gens     []int64

	cswOnce sync.Once
	csw     []*facade.Entry // facade entries, built on first use

	memoMu sync.Mutex
	memo   map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	val  any
}

// Memo returns the value build makes for key, building it once per view:
// what the HTTP layer derives from a whole view (a feed's order) is
// computed once per generation and configuration, not per request.
func (v *View) Memo(key string, build func() any) any {
	v.memoMu.Lock()
	if v.memo == nil {
		v.memo = map[string]*memoEntry{}
	}
	m := v.memo[key]
	if m == nil {
		m = &memoEntry{}
		v.memo[key] = m
	}
	v.memoMu.Unlock()
	m.once.Do(func() { m.val = build() })
	return m.val
}

// GenerationKey identifies the snapshot generations a view was built from.
func (v *View) GenerationKey() string {
	return fmt.Sprint(v.Kind, "/", v.ID, "/", v.gens)
}

// DataOf returns the loaded catalog of the view with this id, nil if none.
func (v *View) DataOf(catalog string) *Catalog {
	for _, d := range v.Catalogs {
		if d.ID == catalog {
			return d
		}
	}
	return nil
}

// CSWEntries are the facade entries of a view, sorted by fileIdentifier,
// built once per view after loading the models of its catalogs. Across
// several catalogs a fileIdentifier is served once (clients such as OWSLib
// key records by it), the first source catalog keeping it.
func (s *State) CSWEntries(ctx context.Context, v *View) ([]*facade.Entry, error) {
	for _, c := range v.Catalogs {
		if err := s.loadModels(ctx, c); err != nil {
			return nil, err
		}
	}
	v.cswOnce.Do(func() {
		out := make([]*facade.Entry, 0, len(v.Records))
		seen := make(map[string]bool, len(v.Records))
		for _, r := range v.Records {
			if r.CSW == nil {
				continue // stored without a model
			}
			if len(v.Catalogs) > 1 {
				if seen[r.Entry.ID] {
					continue
				}
				seen[r.Entry.ID] = true
			}
			out = append(out, r.CSW)
		}
		if len(v.Catalogs) > 1 {
			sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		}
		v.csw = out
	})
	return v.csw, nil
}

// CatalogView is every record of a catalog.
func (s *State) CatalogView(ctx context.Context, cfg *config.Config, id string) (*View, error) {
	cat := cfg.Catalog(id)
	if cat == nil {
		return nil, notFound("no catalog %q", id)
	}
	data, err := s.Catalog(ctx, id)
	if err != nil {
		return nil, unavailable(id, err)
	}
	return s.memo("catalog/"+id, []*Catalog{data}, func() *View {
		return &View{Kind: "catalog", ID: id, Title: cat.Title, Catalogs: []*Catalog{data}, Records: data.Records}
	}), nil
}

// ProducerView is the records of a catalog that name a producer.
func (s *State) ProducerView(ctx context.Context, cfg *config.Config, id, slug string) (*View, error) {
	cat := cfg.Catalog(id)
	if cat == nil {
		return nil, notFound("no catalog %q", id)
	}
	data, err := s.Catalog(ctx, id)
	if err != nil {
		return nil, unavailable(id, err)
	}
	name, ok := data.Snap.Producers[slug]
	if !ok {
		return nil, notFound("catalog %q has no producer %q", id, slug)
	}
	return s.memo("producer/"+id+"/"+slug, []*Catalog{data}, func() *View {
		v := &View{Kind: "producer", ID: id + "/" + slug, Title: name + " — " + cat.Title, Catalogs: []*Catalog{data}}
		for _, r := range data.Records {
			for _, p := range r.Entry.Producers {
				if p == slug {
					v.Records = append(v.Records, r)
					break
				}
			}
		}
		return v
	}), nil
}

// OrganizationView is an organization's records: for each source catalog,
// the records whose first claimed producer belongs to it; services only
// when the organization asks for them.
func (s *State) OrganizationView(ctx context.Context, cfg *config.Config, id string) (*View, error) {
	org := cfg.Organization(id)
	if org == nil {
		return nil, notFound("no organization %q", id)
	}
	datas := make([]*Catalog, len(org.Sources))
	for i, src := range org.Sources {
		data, err := s.Catalog(ctx, src.Catalog)
		if err != nil {
			return nil, unavailable(src.Catalog, err)
		}
		datas[i] = data
	}
	return s.memo("organization/"+id, datas, func() *View {
		v := &View{Kind: "organization", ID: id, Title: org.Title, Catalogs: datas}
		for i, src := range org.Sources {
			for _, r := range datas[i].Records {
				if r.Entry.Type == "service" && !org.Services {
					continue
				}
				if o := cfg.OrganizationFor(src.Catalog, r.Entry.Producers); o != nil && o.ID == org.ID {
					v.Records = append(v.Records, r)
				}
			}
		}
		return v
	}), nil
}

// memo returns the view built for key from exactly these loaded catalogs,
// building it once: a producer or organization view filters every record
// of its catalogs, which must not happen on each request. A new
// generation (a new catalogData) or a configuration reload (reset)
// rebuilds it.
func (s *State) memo(key string, datas []*Catalog, build func() *View) *View {
	s.mu.Lock()
	m, ok := s.views[key]
	s.mu.Unlock()
	if ok && slices.Equal(m.Catalogs, datas) {
		return m
	}
	v := build()
	v.stamp()
	s.mu.Lock()
	if s.views == nil {
		s.views = map[string]*View{}
	}
	s.views[key] = v
	s.mu.Unlock()
	return v
}

func (v *View) stamp() {
	for i, c := range v.Catalogs {
		v.gens = append(v.gens, c.Gen)
		if c.Snap.Created.After(v.Created) {
			v.Created = c.Snap.Created
		}
		if i == 0 || c.Snap.Created.Before(v.Oldest) {
			v.Oldest = c.Snap.Created
		}
	}
}

func unavailable(catalog string, err error) error {
	if errors.Is(err, errNoSnapshot) {
		return &Error{Kind: ErrNotReady, Err: err, Catalog: catalog,
			Msg: fmt.Sprintf("catalog %q has not been harvested successfully yet: nothing to serve", catalog)}
	}
	return err
}
