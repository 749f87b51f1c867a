package facade

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/iso"
)

// Endpoint describes one CSW endpoint of the facade (a catalog, a producer
// or an organization view). URL is the absolute public URL clients reach it
// at: GetCapabilities advertises it for GET and POST, and OWSLib posts to
// what is advertised.
type Endpoint struct {
	URL      string // absolute public URL of this csw endpoint
	Title    string
	Abstract string
	Provider string
}

// Facade answers CSW 2.0.2 requests from a view of snapshot entries. It
// holds no per-request state and is safe for concurrent use; its settings
// come from configuration, never from a request.
type Facade struct {
	// MaxRecords caps maxRecords (default and hard maximum 500).
	MaxRecords int
	// DefaultMaxRecords is used when a request gives no maxRecords (default
	// 10); it is advertised as the MaxRecordDefault constraint.
	DefaultMaxRecords int
	// MaxBodyBytes bounds POST bodies for (*Facade).ParseXML
	// (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// Raw loads the harvested bytes of an entry whose Raw is empty (the
	// proxy keeps them in the store, not in memory, at Entry.Catalog and
	// Entry.Hash), with the context of the request being answered; nil:
	// such entries are served as ISO summary records.
	Raw func(ctx context.Context, e *Entry) ([]byte, error)
	// DCAT renders one entry as a self-contained rdf:RDF document, for the
	// DCAT and GeoDCAT-AP output schemas, with the context of the request
	// being answered; nil disables those schemas.
	DCAT func(ctx context.Context, e *Entry) ([]byte, error)
	// Models loads the parsed models of entries whose Record is nil (the
	// served package keeps them in the store at Entry.Catalog and
	// Entry.Hash), in order, with the context of the request being
	// answered: one call per page of records written, never for filters.
	// nil: such entries are written from an empty model.
	Models func(ctx context.Context, es []*Entry) ([]*iso.Record, error)
	// Now gives the time of csw:Acknowledgement answers (resultType=validate);
	// nil means time.Now.
	Now func() time.Time
}

// HardMaxRecords is the largest page the facade ever returns.
const HardMaxRecords = 500

// ContentTypeXML is the content type of every facade answer.
const ContentTypeXML = "application/xml; charset=utf-8"

func (f *Facade) maxRecords() int {
	if f.MaxRecords <= 0 || f.MaxRecords > HardMaxRecords {
		return HardMaxRecords
	}
	return f.MaxRecords
}

func (f *Facade) defaultMaxRecords() int {
	d := f.DefaultMaxRecords
	if d <= 0 {
		d = 10
	}
	if m := f.maxRecords(); d > m {
		d = m
	}
	return d
}

// Serve answers one parsed request over entries, the whole view sorted by
// ID. It filters, sorts and pages itself, never calls upstream, and renders
// exceptions as an ows:ExceptionReport (status 400 for client errors).
// Records are read (Raw, DCAT) with ctx, the request's context.
func (f *Facade) Serve(ctx context.Context, ep Endpoint, req *Request, entries []*Entry) (status int, contentType string, body []byte) {
	if req == nil {
		return f.exception(missing("request"))
	}
	b := out{endpoint: ep.URL}
	var ex *Exception
	switch req.Operation {
	case OpGetCapabilities:
		f.writeCapabilities(&b.Buffer, ep, req)
	case OpDescribeRecord:
		ex = f.writeDescribeRecord(&b.Buffer, req)
	case OpGetRecords:
		ex = f.getRecords(ctx, &b, req, entries)
	case OpGetRecordByID:
		ex = f.getRecordByID(ctx, &b, req, entries)
	case OpGetDomain:
		ex = f.writeDomain(&b.Buffer, req, entries)
	default:
		ex = invalid("request", "unknown operation "+quote(req.Operation))
	}
	if ex != nil {
		return f.exception(ex)
	}
	if req.OutputFormat == FormatJSON {
		j, err := xmlToJSON(b.bytes())
		if err != nil {
			return f.exception(&Exception{Code: ExceptionNoApplicableCode, Text: "answer not convertible to JSON"})
		}
		return http.StatusOK, ContentTypeJSON, j
	}
	return http.StatusOK, ContentTypeXML, b.bytes()
}

// out assembles an answer: generated XML goes to the buffer, stored
// record bytes are referenced as parts, and the answer is joined once at the
// end (bytes.Join allocates without zeroing), so a page of raw records is
// copied exactly once.
type out struct {
	bytes.Buffer
	parts    [][]byte
	mark     int
	endpoint string // the endpoint's public URL, for links in records
}

// raw appends p as is, without copying it yet.
func (o *out) raw(p []byte) {
	// Earlier slices of the buffer stay valid when it grows: growing copies
	// into a new array and leaves the old one untouched.
	o.parts = append(o.parts, o.Bytes()[o.mark:], p)
	o.mark = o.Len()
}

func (o *out) bytes() []byte {
	if len(o.parts) == 0 {
		return o.Bytes()
	}
	return bytes.Join(append(o.parts, o.Bytes()[o.mark:]), nil)
}

// Error renders err as an exception answer: an *Exception as itself, any
// other error as NoApplicableCode without its text.
func (f *Facade) Error(err error) (status int, contentType string, body []byte) {
	var ex *Exception
	if errors.As(err, &ex) {
		return f.exception(ex)
	}
	return f.exception(&Exception{Code: ExceptionNoApplicableCode, Text: "internal error"})
}

func (f *Facade) exception(ex *Exception) (int, string, []byte) {
	return ex.Status(), ContentTypeXML, ex.XML()
}

// schemaOf resolves the output schema of a request, checking DCAT
// availability.
func (f *Facade) schemaOf(req *Request) (string, *Exception) {
	s := req.OutputSchema
	if s == "" {
		s = SchemaCSW
	}
	if (s == SchemaDCAT || s == SchemaGeoDCAT) && f.DCAT == nil {
		return "", invalid("outputSchema", "outputSchema "+s+" is not available here")
	}
	return s, nil
}

// selectEntries filters entries, drops repeated IDs and orders the result.
func selectEntries(req *Request, entries []*Entry) []*Entry {
	out := make([]*Entry, 0, min(len(entries), 1024))
	sorted := true
	prev := ""
	seen := map[string]bool(nil)
	for i, e := range entries {
		if e == nil {
			continue
		}
		id := e.index().id
		if i > 0 && id < prev {
			sorted = false
		}
		if id == prev && i > 0 {
			continue // never serve one identifier twice in a view
		}
		prev = id
		if !sorted {
			if seen == nil {
				seen = make(map[string]bool, len(out))
				for _, o := range out {
					seen[o.index().id] = true
				}
			}
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		if req.Filter.Match(e) {
			out = append(out, e)
		}
	}
	keys := req.SortBy
	if len(keys) == 0 || (len(keys) == 1 && keys[0].field == fieldIdentifier && !keys[0].Descending) {
		// The default order, and the one udata asks for: the view's own.
		if sorted {
			return out
		}
		keys = []SortKey{{Property: "Identifier", field: fieldIdentifier}}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].index(), out[j].index()
		for _, k := range keys {
			c := sortCompare(a, b, k.field)
			if c == 0 {
				continue
			}
			if k.Descending {
				return c > 0
			}
			return c < 0
		}
		return a.id < b.id
	})
	return out
}

// sortCompare orders two entries on one queryable by its first value;
// an entry without a value sorts first.
func sortCompare(a, b *index, f field) int {
	switch f {
	case fieldTitle:
		return strings.Compare(a.titleKey, b.titleKey)
	case fieldIdentifier:
		return strings.Compare(a.id, b.id)
	}
	present := func(x, y int) (int, bool) {
		switch {
		case x == 0 && y == 0:
			return 0, true
		case x == 0:
			return -1, true
		case y == 0:
			return 1, true
		}
		return 0, false
	}
	switch f.kind() {
	case kindAny:
		return strings.Compare(a.anyText, b.anyText)
	case kindBox:
		if c, done := present(len(a.boxes), len(b.boxes)); done {
			return c
		}
		x, y := a.boxes[0], b.boxes[0]
		for _, p := range [...][2]float64{{x.West, y.West}, {x.South, y.South}, {x.East, y.East}, {x.North, y.North}} {
			if c := numCompare(p[0], p[1]); c != 0 {
				return c
			}
		}
		return 0
	case kindDate:
		da, db := a.dates(f), b.dates(f)
		if c, done := present(len(da), len(db)); done {
			return c
		}
		return da[0].d.compare(db[0].d)
	case kindNumber:
		na, oka := firstNum(a.values(f))
		nb, okb := firstNum(b.values(f))
		if c, done := present(b2i(oka), b2i(okb)); done {
			return c
		}
		return numCompare(na, nb)
	}
	la, lb := a.values(f), b.values(f)
	if c, done := present(len(la), len(lb)); done {
		return c
	}
	return strings.Compare(la[0].low, lb[0].low)
}

func firstNum(vs []val) (float64, bool) {
	for _, v := range vs {
		if n, ok := num(v); ok {
			return n, true
		}
	}
	return 0, false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f *Facade) getRecords(ctx context.Context, b *out, req *Request, entries []*Entry) *Exception {
	schema, ex := f.schemaOf(req)
	if ex != nil {
		return ex
	}
	if req.ResultType == "validate" {
		f.writeAcknowledgement(&b.Buffer, req)
		return nil
	}
	matched := selectEntries(req, entries)
	start := req.StartPosition
	if start < 1 {
		start = 1
	}
	limit := req.MaxRecords
	if limit < 0 {
		limit = f.defaultMaxRecords()
	}
	limit = min(limit, f.maxRecords())
	var page []*Entry
	if req.ResultType != "hits" && start <= len(matched) {
		end := min(start-1+limit, len(matched))
		page = matched[start-1 : end]
	}
	next := 0
	if len(page) > 0 && start+len(page) <= len(matched) {
		next = start + len(page)
	}
	esn := req.ElementSetName
	if len(req.ElementNames) > 0 {
		esn = ""
	}
	if schema == SchemaCSW || esn != "full" {
		b.Grow(1024 + 2048*len(page))
	}
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:GetRecordsResponse`)
	writeNS(&b.Buffer, schema)
	b.WriteString(` version="2.0.2" xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd">`)
	b.WriteString(`<csw:SearchStatus/>`)
	b.WriteString(`<csw:SearchResults numberOfRecordsMatched="` + itoa(len(matched)) + `" numberOfRecordsReturned="` + itoa(len(page)) + `" nextRecord="` + itoa(next) + `"`)
	attr(&b.Buffer, "recordSchema", schema)
	if esn != "" {
		attr(&b.Buffer, "elementSet", esn)
	}
	if len(page) == 0 {
		b.WriteString("/></csw:GetRecordsResponse>\n")
		return nil
	}
	b.WriteString(">\n")
	pm := &pageModels{f: f, ctx: ctx, page: page}
	for i, e := range page {
		if ex := f.writeRecord(ctx, b, pm, i, e, schema, esn, req.ElementNames); ex != nil {
			return ex
		}
		b.WriteByte('\n')
	}
	b.WriteString("</csw:SearchResults></csw:GetRecordsResponse>\n")
	return nil
}

// writeNS declares the namespaces a response envelope uses.
func writeNS(b *bytes.Buffer, schema string) {
	b.WriteString(` xmlns:csw="` + csw.NSCSW + `" xmlns:dc="` + csw.NSDC + `" xmlns:dct="` + csw.NSDCT + `" xmlns:ows="` + csw.NSOWS + `" xmlns:xsi="` + csw.NSXSI + `"`)
	switch schema {
	case SchemaISO:
		b.WriteString(` xmlns:gmd="` + csw.NSGMD + `" xmlns:gco="` + csw.NSGCO + `" xmlns:srv="` + csw.NSSRV + `"`)
	case SchemaAtom:
		b.WriteString(` xmlns:atom="` + nsAtom + `" xmlns:georss="` + nsGeoRSS + `" xmlns:gml="` + csw.NSGML + `"`)
	}
}

func (f *Facade) getRecordByID(ctx context.Context, b *out, req *Request, entries []*Entry) *Exception {
	schema, ex := f.schemaOf(req)
	if ex != nil {
		return ex
	}
	found := make([]*Entry, 0, len(req.IDs))
	seen := make(map[*Entry]bool, len(req.IDs))
	find := func(id string) *Entry { return findEntry(entries, id) }
	if len(req.IDs) > 8 {
		// A missing id costs findEntry a scan of every entry: with many ids
		// (a POST may name thousands) one table of every entry's ids is
		// cheaper than a scan per id.
		byID := idTable(entries)
		find = func(id string) *Entry { return byID[id] }
	}
	for _, id := range req.IDs {
		if e := find(id); e != nil && !seen[e] {
			seen[e] = true
			found = append(found, e)
		}
	}
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:GetRecordByIdResponse`)
	writeNS(&b.Buffer, schema)
	b.WriteString(` xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"`)
	if len(found) == 0 {
		b.WriteString("/>\n")
		return nil
	}
	b.WriteString(">\n")
	// The ids are unbounded (one per catalogue record at worst): their
	// models are read HardMaxRecords at a time, as a page's are, not all
	// at once.
	for len(found) > 0 {
		page := found[:min(len(found), HardMaxRecords)]
		found = found[len(page):]
		pm := &pageModels{f: f, ctx: ctx, page: page}
		for i, e := range page {
			if ex := f.writeRecord(ctx, b, pm, i, e, schema, req.ElementSetName, nil); ex != nil {
				return ex
			}
			b.WriteByte('\n')
		}
	}
	b.WriteString("</csw:GetRecordByIdResponse>\n")
	return nil
}

// findEntry finds an entry by ID (binary search when the view is sorted,
// as promised) or by its served identifier.
// idTable maps every id of entries to the entry findEntry would return for
// it: an entry whose own id it is (the first of them), else the first entry
// listing it among its identifiers.
func idTable(entries []*Entry) map[string]*Entry {
	byID := make(map[string]*Entry, len(entries))
	primary := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e == nil {
			continue
		}
		ix := e.index()
		if !primary[ix.id] {
			byID[ix.id], primary[ix.id] = e, true
		}
		for _, v := range ix.ids {
			if _, ok := byID[v]; !ok {
				byID[v] = e
			}
		}
	}
	return byID
}

func findEntry(entries []*Entry, id string) *Entry {
	i := sort.Search(len(entries), func(i int) bool { return entries[i] != nil && entries[i].index().id >= id })
	if i < len(entries) && entries[i] != nil && entries[i].index().id == id {
		return entries[i]
	}
	for _, e := range entries {
		if e == nil {
			continue
		}
		for _, v := range e.index().ids {
			if v == id {
				return e
			}
		}
	}
	return nil
}

// pageModels reads the models of the records an answer writes, all of
// them in one Facade.Models call on first need (an answer of ISO records
// served as harvested needs none).
type pageModels struct {
	f      *Facade
	ctx    context.Context
	page   []*Entry
	models []*iso.Record
	err    error
	loaded bool
}

var emptyModel = &iso.Record{}

// get returns the model of page[i]: its Record, the one read through
// Facade.Models, or an empty model when there is no accessor.
func (pm *pageModels) get(i int) (*iso.Record, *Exception) {
	e := pm.page[i]
	if e.Record != nil {
		return e.Record, nil
	}
	if pm.f.Models == nil {
		return emptyModel, nil
	}
	if !pm.loaded {
		pm.loaded = true
		var want []*Entry
		for _, e := range pm.page {
			if e.Record == nil {
				want = append(want, e)
			}
		}
		models, err := pm.f.Models(pm.ctx, want)
		if err == nil && len(models) != len(want) {
			err = errors.New("models: wrong count")
		}
		pm.err = err
		if err == nil {
			pm.models = make([]*iso.Record, len(pm.page))
			j := 0
			for k, e := range pm.page {
				if e.Record == nil {
					pm.models[k] = models[j]
					j++
				}
			}
		}
	}
	if pm.err != nil || pm.models[i] == nil {
		// The store is unreachable, or the record was replaced since the
		// entries were built: an answer to retry rather than a record
		// written empty (the error's text stays inside).
		return nil, &Exception{Code: ExceptionNoApplicableCode, Unavailable: true,
			Text: "record " + quote(e.index().id) + " could not be read now: retry later"}
	}
	return pm.models[i], nil
}

// writeRecord writes one child of SearchResults (or GetRecordByIdResponse),
// page[i] of pm.
func (f *Facade) writeRecord(ctx context.Context, b *out, pm *pageModels, i int, e *Entry, schema, esn string, names []string) *Exception {
	switch schema {
	case SchemaISO:
		if len(names) > 0 {
			return f.writeISOProjection(ctx, b, pm, i, e, names)
		}
		if esn == "full" {
			raw := e.Raw
			if len(raw) == 0 && f.Raw != nil {
				raw, _ = f.Raw(ctx, e) // on failure: a summary built from the model
			}
			if len(raw) > 0 {
				b.raw(stripDecl(raw))
				return nil
			}
		}
		if esn == "full" {
			esn = "summary"
		}
		if esn == "" {
			esn = "summary"
		}
		r, ex := pm.get(i)
		if ex != nil {
			return ex
		}
		writeISO(&b.Buffer, e, r, esn)
	case SchemaAtom:
		r, ex := pm.get(i)
		if ex != nil {
			return ex
		}
		writeAtom(&b.Buffer, e, r, b.endpoint)
	case SchemaDCAT, SchemaGeoDCAT:
		var doc []byte
		if f.DCAT != nil {
			if d, err := f.DCAT(ctx, e); err == nil {
				doc = stripDecl(d)
			}
		}
		if len(doc) == 0 {
			// Keep counts honest: one child per record, even when the
			// record has no DCAT rendering.
			b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>`)
			return nil
		}
		b.raw(doc)
	default:
		r, ex := pm.get(i)
		if ex != nil {
			return ex
		}
		writeDC(&b.Buffer, e, r, esn, names)
	}
	return nil
}

func (f *Facade) writeAcknowledgement(b *bytes.Buffer, req *Request) {
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	b.WriteString(xmlDecl)
	b.WriteString(`<csw:Acknowledgement xmlns:csw="` + csw.NSCSW + `" xmlns:xsi="` + csw.NSXSI + `" xsi:schemaLocation="` + csw.NSCSW + ` http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"`)
	attr(b, "timeStamp", now().UTC().Format(time.RFC3339))
	b.WriteString(`><csw:EchoedRequest><csw:GetRecords service="CSW" version="2.0.2" resultType="validate"`)
	if req.OutputSchema != "" {
		attr(b, "outputSchema", req.OutputSchema)
	}
	if req.StartPosition > 0 {
		attr(b, "startPosition", itoa(req.StartPosition))
	}
	if req.MaxRecords >= 0 {
		attr(b, "maxRecords", itoa(req.MaxRecords))
	}
	b.WriteString(`><csw:Query`)
	attr(b, "typeNames", strings.Join(req.TypeNames, " "))
	b.WriteString(`>`)
	if len(req.ElementNames) > 0 {
		for _, n := range req.ElementNames {
			elem(b, "csw:ElementName", n)
		}
	} else {
		elem(b, "csw:ElementSetName", req.ElementSetName)
	}
	if req.Filter != nil {
		b.WriteString(`<csw:Constraint version="1.1.0">`)
		elem(b, "csw:CqlText", req.Filter.String())
		b.WriteString(`</csw:Constraint>`)
	}
	b.WriteString("</csw:Query></csw:GetRecords></csw:EchoedRequest></csw:Acknowledgement>\n")
}

// writeISOProjection writes the ISO record reduced to the named queryables
// (ElementName with outputSchema gmd): from the harvested bytes when there
// are, else from the summary record built from the model.
func (f *Facade) writeISOProjection(ctx context.Context, b *out, pm *pageModels, i int, e *Entry, names []string) *Exception {
	raw := e.Raw
	if len(raw) == 0 && f.Raw != nil {
		raw, _ = f.Raw(ctx, e)
	}
	if len(raw) > 0 {
		if p, ok := projectISO(stripDecl(raw), names); ok {
			b.raw(p)
			return nil
		}
	}
	r, ex := pm.get(i)
	if ex != nil {
		return ex
	}
	var sum bytes.Buffer
	writeISO(&sum, e, r, "summary")
	if p, ok := projectISO(sum.Bytes(), names); ok {
		b.raw(p)
		return nil
	}
	b.Write(sum.Bytes())
	return nil
}
