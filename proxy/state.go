package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/iso"
)

// record is one served record: its snapshot entry, parsed model, upstream
// bytes and what the facade and the feeds derive from it, built once per
// snapshot generation.
type record struct {
	entry   cache.Entry
	rec     *iso.Record
	catalog string
	csw     *csw.Entry

	fragOnce sync.Once
	frag     *dcat.Fragment
	fragErr  error
}

// catalogData is a catalog's snapshot loaded in memory.
type catalogData struct {
	id      string
	gen     int64
	snap    *cache.Snapshot
	records []*record // sorted by fileIdentifier
	byID    map[string]*record
}

// state loads and caches catalog snapshots, reloading a catalog when the
// store's generation moves. Each request works on one consistent
// catalogData value.
type state struct {
	owners   sync.Map         // *csw.Entry → *record
	views    map[string]*view // memoized producer and organization views (mu)
	store    cache.Store
	recheck  time.Duration
	mu       sync.Mutex
	catalogs map[string]*catalogSlot
	// prepare, when set, readies a newly loaded generation (maps its DCAT
	// fragments) before it replaces the one being served: meanwhile the
	// other requests serve the previous generation (see catalogSlot.loaded)
	// instead of all waiting for fragments mapped lazily.
	prepare func(ctx context.Context, data *catalogData)
	// downUntil (unix ns): the store answered ErrUnavailable; until then
	// per-record reads (fragments, raw records) are not tried, so that a
	// page does not pay one failed round trip per record while Redis is
	// down: fragments are mapped, ISO records rebuilt from the models.
	downUntil atomic.Int64
	// background: a new generation found while another is served is loaded
	// and prepared in the background (reload); requests keep the served one
	// until it is ready. Otherwise the request that finds it waits for it.
	background bool
}

type catalogSlot struct {
	mu      sync.Mutex
	data    *catalogData
	checked time.Time
	// loaded mirrors data for the requests that find mu taken: while one
	// request reads the generation or loads a new snapshot (slow when the
	// store is down or the catalog large), the others serve what is loaded
	// instead of queueing behind it.
	loaded atomic.Pointer[catalogData]
	// reloading: a background reload of this catalog is under way (mu).
	reloading bool
}

func newState(st cache.Store, recheck time.Duration) *state {
	return &state{store: st, recheck: recheck, catalogs: map[string]*catalogSlot{}}
}

// storePause is how long per-record store reads are skipped after the
// store was found unavailable.
const storePause = time.Second

// storeDown reports whether the store was found unavailable less than
// storePause ago.
func (s *state) storeDown() bool { return time.Now().UnixNano() < s.downUntil.Load() }

// noteStoreErr remembers an unavailable store (see downUntil).
func (s *state) noteStoreErr(err error) {
	if errors.Is(err, cache.ErrUnavailable) {
		s.downUntil.Store(time.Now().Add(storePause).UnixNano())
	}
}

// errNoSnapshot says a catalog was never harvested successfully.
var errNoSnapshot = errors.New("no snapshot yet")

// catalog returns the catalog's current data, loading it when the store
// has a newer generation. errNoSnapshot when it has none.
func (s *state) catalog(ctx context.Context, id string) (*catalogData, error) {
	s.mu.Lock()
	slot := s.catalogs[id]
	if slot == nil {
		slot = &catalogSlot{}
		s.catalogs[id] = slot
	}
	s.mu.Unlock()

	if !slot.mu.TryLock() {
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
		s.noteStoreErr(err)
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
	if slot.data != nil && slot.data.gen == gen {
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
func (s *state) reload(slot *catalogSlot, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	data, err := load(ctx, s.store, id)
	if err == nil && s.prepare != nil {
		s.prepare(ctx, data)
	}
	slot.mu.Lock()
	defer slot.mu.Unlock()
	slot.reloading = false
	if err != nil || (slot.data != nil && data.gen <= slot.data.gen) {
		return
	}
	s.publish(slot, data)
}

// publish makes data the slot's served generation (slot.mu held).
func (s *state) publish(slot *catalogSlot, data *catalogData) {
	if slot.data != nil {
		for _, r := range slot.data.records {
			s.owners.Delete(r.csw)
		}
	}
	for _, r := range data.records {
		s.owners.Store(r.csw, r)
	}
	slot.data = data
	slot.loaded.Store(data)
}

// reset forgets every loaded catalog: after a configuration change, the
// fragments mapped with the previous options must not be served.
func (s *state) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalogs = map[string]*catalogSlot{}
	s.views = nil
	s.owners.Clear()
}

// owner finds the record behind a facade entry.
func (s *state) owner(e *csw.Entry) *record {
	if v, ok := s.owners.Load(e); ok {
		return v.(*record)
	}
	return nil
}

func load(ctx context.Context, st cache.Store, id string) (*catalogData, error) {
	snap, err := st.Snapshot(ctx, id)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, errNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("read snapshot of %q: %w", id, err)
	}
	data := &catalogData{id: id, gen: snap.Generation, snap: snap, byID: make(map[string]*record, len(snap.Entries))}
	const chunk = 200
	for start := 0; start < len(snap.Entries); start += chunk {
		end := min(start+chunk, len(snap.Entries))
		hashes := make([]string, 0, end-start)
		for _, e := range snap.Entries[start:end] {
			hashes = append(hashes, e.Hash)
		}
		recs, err := st.Records(ctx, id, hashes)
		if err != nil {
			return nil, fmt.Errorf("read records of %q: %w", id, err)
		}
		for i, sr := range recs {
			e := snap.Entries[start+i]
			var rec iso.Record
			if len(sr.Parsed) == 0 {
				continue // kept previous version failed? never served without a model
			}
			if err := json.Unmarshal(sr.Parsed, &rec); err != nil {
				return nil, fmt.Errorf("decode record %q of %q: %w", e.ID, id, err)
			}
			// The raw bytes stay in the store (the facade loads them for
			// ISO full answers): memory holds the models, not the XML.
			r := &record{entry: e, rec: &rec, catalog: id}
			r.csw = &csw.Entry{
				ID:            e.ID,
				Identifier:    e.Identifier,
				Record:        r.rec,
				Organisations: append(append([]string(nil), e.ProducerNames...), displayOf(snap, e.Producers)...),
				Modified:      r.rec.Modified(),
				Type:          e.Type,
			}
			data.records = append(data.records, r)
			data.byID[e.ID] = r
		}
	}
	return data, nil
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

// view is the set of records behind one URL: a catalog, a producer of a
// catalog, or an organization (records of several catalogs).
type view struct {
	kind     string // "catalog", "producer", "organization"
	id       string // catalog id, producer slug or organization id
	title    string
	catalogs []*catalogData
	records  []*record
	gens     []int64
	created  time.Time // newest snapshot time among the catalogs
	oldest   time.Time

	cswOnce sync.Once
	csw     []*csw.Entry // facade entries, built on first use
}

// generationKey identifies the snapshot generations a view was built from.
func (v *view) generationKey() string {
	return fmt.Sprint(v.kind, "/", v.id, "/", v.gens)
}

// catalogView is every record of a catalog.
func (s *state) catalogView(ctx context.Context, cfg *config.Config, id string) (*view, error) {
	cat := cfg.Catalog(id)
	if cat == nil {
		return nil, notFound("no catalog %q", id)
	}
	data, err := s.catalog(ctx, id)
	if err != nil {
		return nil, unavailable(id, err)
	}
	return s.memo("catalog/"+id, []*catalogData{data}, func() *view {
		return &view{kind: "catalog", id: id, title: cat.Title, catalogs: []*catalogData{data}, records: data.records}
	}), nil
}

// producerView is the records of a catalog that name a producer.
func (s *state) producerView(ctx context.Context, cfg *config.Config, id, slug string) (*view, error) {
	cat := cfg.Catalog(id)
	if cat == nil {
		return nil, notFound("no catalog %q", id)
	}
	data, err := s.catalog(ctx, id)
	if err != nil {
		return nil, unavailable(id, err)
	}
	name, ok := data.snap.Producers[slug]
	if !ok {
		return nil, notFound("catalog %q has no producer %q", id, slug)
	}
	return s.memo("producer/"+id+"/"+slug, []*catalogData{data}, func() *view {
		v := &view{kind: "producer", id: id + "/" + slug, title: name + " — " + cat.Title, catalogs: []*catalogData{data}}
		for _, r := range data.records {
			for _, p := range r.entry.Producers {
				if p == slug {
					v.records = append(v.records, r)
					break
				}
			}
		}
		return v
	}), nil
}

// organizationView is an organization's records: for each source catalog,
// the records whose first claimed producer belongs to it; services only
// when the organization asks for them.
func (s *state) organizationView(ctx context.Context, cfg *config.Config, id string) (*view, error) {
	org := cfg.Organization(id)
	if org == nil {
		return nil, notFound("no organization %q", id)
	}
	datas := make([]*catalogData, len(org.Sources))
	for i, src := range org.Sources {
		data, err := s.catalog(ctx, src.Catalog)
		if err != nil {
			return nil, unavailable(src.Catalog, err)
		}
		datas[i] = data
	}
	return s.memo("organization/"+id, datas, func() *view {
		v := &view{kind: "organization", id: id, title: org.Title, catalogs: datas}
		for i, src := range org.Sources {
			for _, r := range datas[i].records {
				if r.entry.Type == "service" && !org.Services {
					continue
				}
				if o := cfg.OrganizationFor(src.Catalog, r.entry.Producers); o != nil && o.ID == org.ID {
					v.records = append(v.records, r)
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
func (s *state) memo(key string, datas []*catalogData, build func() *view) *view {
	s.mu.Lock()
	m, ok := s.views[key]
	s.mu.Unlock()
	if ok && slices.Equal(m.catalogs, datas) {
		return m
	}
	v := build()
	v.stamp()
	s.mu.Lock()
	if s.views == nil {
		s.views = map[string]*view{}
	}
	s.views[key] = v
	s.mu.Unlock()
	return v
}

func (v *view) stamp() {
	for i, c := range v.catalogs {
		v.gens = append(v.gens, c.gen)
		if c.snap.Created.After(v.created) {
			v.created = c.snap.Created
		}
		if i == 0 || c.snap.Created.Before(v.oldest) {
			v.oldest = c.snap.Created
		}
	}
}

func unavailable(catalog string, err error) error {
	if errors.Is(err, errNoSnapshot) {
		return &HTTPError{Code: 503, RetryAfter: 300, Err: err, unready: catalog,
			Msg: fmt.Sprintf("catalog %q has not been harvested successfully yet: nothing to serve", catalog)}
	}
	return internal(err)
}
