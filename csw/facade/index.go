package facade

import (
	"sort"
	"strings"
	"sync"

	"github.com/passerelle/passerelle/iso"
)

// Entry is one record of a facade view, as the served package builds it
// from the current snapshot. Entries are read-only once handed to Serve;
// the facade keeps a small search index inside each entry (what filters,
// sorting and GetDomain read), so share *Entry values between requests
// rather than rebuilding them.
//
// An entry need not hold its model: IndexModel builds the index from a
// model the caller then drops, and the answers that write records read the
// models of the page being written through Facade.Models.
type Entry struct {
	ID         string // gmd:fileIdentifier: the CSW identifier (GetRecordById, dc:identifier)
	Identifier string // dct:identifier served in DCAT (resource identifier), may equal ID
	Raw        []byte // the record as harvested (gmd:MD_Metadata or gmi:MI_Metadata), served verbatim
	// Record is the parsed model when the caller keeps it in memory; nil:
	// read through Facade.Models when a record is written (and the index
	// built by IndexModel, or from an empty model).
	Record *iso.Record
	// Organisations holds the organisation names the record is filed under,
	// raw and display forms; filters on OrganisationName match any of them.
	Organisations []string
	Modified      string // change date (ISO 8601), for Modified filters and sorting
	Type          string // hierarchy level: dataset, series, service, nonGeographicDataset…
	// Catalog and Hash locate the record in the store of the one serving
	// it (the catalog it was harvested from, the sha256 of its raw bytes),
	// for Facade.Raw and Facade.DCAT; the facade itself never reads them.
	Catalog string
	Hash    string

	once sync.Once
	ix   *index
}

// index is the per-entry data filters, sorting and GetDomain read:
// every queryable's values (lower-cased and as written), computed once.
type index struct {
	id       string
	ids      []string // ID then Identifier when different
	idsLow   []string
	vals     []val   // every queryable's values, sorted by field (collectValues)
	dated    []dated // parsed values of the date fields, sorted by field
	anyText  string
	boxes    []iso.BoundingBox // repaired (iso.Record.Boxes)
	titleKey string
	typ      string // as written, defaulted to "dataset"
}

func (e *Entry) index() *index {
	e.once.Do(func() { e.ix = buildIndex(e, e.Record) })
	return e.ix
}

// IndexModel builds the entry's search index from m, its model, unless it
// is built already; the entry does not keep m. Call it before handing the
// entry to Serve.
func (e *Entry) IndexModel(m *iso.Record) {
	e.once.Do(func() { e.ix = buildIndex(e, m) })
}

func buildIndex(e *Entry, r *iso.Record) *index {
	ix := &index{}
	if r == nil {
		r = &iso.Record{}
	}
	id := e.ID
	if id == "" {
		id = r.FileIdentifier
	}
	ix.id = id
	if id != "" {
		ix.ids = append(ix.ids, id)
	}
	if e.Identifier != "" && e.Identifier != id {
		ix.ids = append(ix.ids, e.Identifier)
	}
	for _, v := range ix.ids {
		ix.idsLow = append(ix.idsLow, strings.ToLower(v))
	}
	typ := e.Type
	if typ == "" {
		typ = r.HierarchyLevel
	}
	if typ == "" {
		typ = "dataset"
	}
	ix.typ = typ
	// One lower-cased copy per distinct text, shared by the fields and AnyText.
	lowered := map[string]string{}
	lower := func(v string) string {
		low, ok := lowered[v]
		if !ok {
			low = strings.ToLower(v)
			lowered[v] = low
		}
		return low
	}
	collectValues(e, r, ix, lower)
	// The same repaired boxes as the feeds: west > east swapped back.
	ix.boxes = r.Boxes()
	if t := ix.values(fieldTitle); len(t) > 0 {
		ix.titleKey = t[0].low
	}

	// AnyText: every searchable value, lower-cased, one per line.
	var all strings.Builder
	put := func(vals ...string) {
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				all.WriteString(lower(v))
				all.WriteByte('\n')
			}
		}
	}
	put(ix.ids...)
	for f := fieldTitle; f < fieldBoundingBox; f++ {
		if f != fieldIdentifier && f != fieldModified {
			for _, v := range ix.values(f) {
				put(v.shown)
			}
		}
	}
	for _, t := range r.AlternateTitles {
		put(textValues(t)...)
	}
	put(textValues(r.Purpose)...)
	put(textValues(r.Lineage)...)
	for _, i := range r.Identifiers {
		put(i.Code)
	}
	for _, o := range r.OnlineResources {
		put(o.URL, o.Name, o.Description)
	}
	if r.Service != nil {
		put(r.Service.Type)
	}
	put(r.ParentIdentifier)
	ix.anyText = strings.TrimSuffix(all.String(), "\n")
	return ix
}

// textValues returns the value of a Text followed by its translations in
// a stable order.
func textValues(t iso.Text) []string {
	if len(t.Translations) == 0 {
		if t.Value == "" {
			return nil
		}
		return []string{t.Value}
	}
	out := make([]string, 0, 1+len(t.Translations))
	if t.Value != "" {
		out = append(out, t.Value)
	}
	keys := make([]string, 0, len(t.Translations))
	for k := range t.Translations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, t.Translations[k])
	}
	return out
}
