package dcat

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// Page is one page of a feed.
type Page struct {
	Options
	// Fragments are the page's records, in page order (see OrderForPage).
	Fragments []*Fragment
	// Resolve finds a fragment by fileIdentifier or resource identifier
	// (nil: unknown). WritePage matches link targets against the page's
	// fragments by fileIdentifier and identifier first, then through
	// Resolve (for targets known under another key); a link is written
	// only when its target is on the page. May be nil.
	Resolve func(fileID string) *Fragment
	// Total is the number of records of the (filtered) feed; Page is the
	// 1-based page number; PageSize the page size.
	Total, Page, PageSize int
	// BaseURL is the absolute URL of the feed without query; Ext (".ttl",
	// or "" for content negotiation) is appended when BaseURL lacks it.
	BaseURL string
	Query   url.Values // the request's query; page is replaced, the rest kept
	Ext     string
}

// WritePage writes a feed page: the catalog node (title, description,
// publisher, Hydra paging in both vocabularies), then the fragments, with
// cross-record links written only when the target is on the page.
func WritePage(w io.Writer, f Format, p *Page) error {
	ts, err := pageTriples(p)
	if err != nil {
		return err
	}
	return writeTriples(w, f, ts)
}

func (p *Page) feedURL() string {
	u := p.BaseURL
	if p.Ext != "" && !strings.HasSuffix(u, p.Ext) {
		u += p.Ext
	}
	return u
}

func (p *Page) pageURL(n int) string {
	q := url.Values{}
	for k, v := range p.Query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("page", strconv.Itoa(n))
	if p.PageSize > 0 && q.Get("page_size") == "" {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	return p.feedURL() + "?" + q.Encode()
}

func pageTriples(p *Page) ([]Triple, error) {
	if p == nil {
		return nil, fmt.Errorf("write page: nil page: %w", ErrInvalid)
	}
	feed := p.feedURL()
	if !validIRI(feed) {
		return nil, fmt.Errorf("write page: base URL %q is not an absolute http(s) IRI: %w", feed, ErrInvalid)
	}
	size := p.PageSize
	if size <= 0 {
		size = len(p.Fragments)
		if size == 0 {
			size = 1
		}
	}
	page := max(p.Page, 1)
	last := max((p.Total+size-1)/size, 1)

	var g graph
	// The catalog's IRI is the feed URL without format extension, so the
	// four serializations of a page describe the same catalog node; only
	// the Hydra page URLs keep the extension.
	cat := iri(strings.TrimSuffix(feed, p.Ext))
	g.typ(cat, nsDCAT+"Catalog")
	g.typ(cat, nsHydra+"Collection")
	title := orDefault(p.Catalog.Title, p.Catalog.ID)
	g.add(cat, nsDCT+"title", lit(title, ""))
	g.add(cat, nsDCT+"description", lit(orDefault(p.Catalog.Description, title), ""))
	pub := iri(strings.TrimSuffix(feed, p.Ext) + "#publisher") // the same node in every format
	if p.Catalog.Publisher != "" {
		g.add(cat, nsDCT+"publisher", pub)
	}
	g.add(cat, nsHydra+"totalItems", typed(strconv.Itoa(p.Total), nsXSD+"integer"))
	view := iri(p.pageURL(page))
	g.add(cat, nsHydra+"view", view)
	catEnd := len(g.triples) // the catalog's dcat:dataset/record links go here
	if p.Catalog.Publisher != "" {
		g.typ(pub, nsFOAF+"Organization")
		g.add(pub, nsFOAF+"name", lit(p.Catalog.Publisher, ""))
	}
	g.typ(view, nsHydra+"PartialCollectionView")
	g.typ(view, nsHydra+"PagedCollection")
	g.add(view, nsHydra+"first", iri(p.pageURL(1)))
	g.add(view, nsHydra+"last", iri(p.pageURL(last)))
	g.add(view, nsHydra+"firstPage", iri(p.pageURL(1)))
	g.add(view, nsHydra+"lastPage", iri(p.pageURL(last)))
	if page < last {
		g.add(view, nsHydra+"next", iri(p.pageURL(page+1)))
		g.add(view, nsHydra+"nextPage", iri(p.pageURL(page+1)))
	}
	if page > 1 {
		g.add(view, nsHydra+"previous", iri(p.pageURL(page-1)))
		g.add(view, nsHydra+"previousPage", iri(p.pageURL(page-1)))
	}
	g.add(view, nsHydra+"itemsPerPage", typed(strconv.Itoa(size), nsXSD+"integer"))
	g.add(view, nsHydra+"totalItems", typed(strconv.Itoa(p.Total), nsXSD+"integer"))

	onPage := map[string]*Fragment{}
	for _, fr := range p.Fragments {
		if fr == nil {
			continue
		}
		if _, dup := onPage[fr.d.FileID]; !dup {
			onPage[fr.d.FileID] = fr
		}
		if _, dup := onPage[fr.d.Identifier]; !dup {
			onPage[fr.d.Identifier] = fr
		}
	}
	// Decode each fragment's triples once (compacted fragments keep only
	// their encoded form).
	own := make([][]Triple, len(p.Fragments))
	n := len(g.triples)
	for i, fr := range p.Fragments {
		if fr != nil {
			own[i], _ = fr.triples()
			n += len(own[i]) + 3
		}
	}
	ts := make([]Triple, 0, n)
	ts = append(ts, g.triples[:catEnd]...)
	for _, fr := range p.Fragments {
		if fr == nil {
			continue
		}
		prop := nsDCAT + "dataset"
		switch fr.d.Kind {
		case "service":
			prop = nsDCAT + "service"
		case "other":
			prop = nsDCAT + "resource"
		}
		ts = append(ts, Triple{S: cat, P: iri(prop), O: iri(fr.d.IRI)}, Triple{S: cat, P: iri(nsDCAT + "record"), O: iri(fr.d.RecordIRI)})
	}
	ts = append(ts, g.triples[catEnd:]...)
	for i, fr := range p.Fragments {
		if fr == nil {
			continue
		}
		frTriples := own[i]
		// The resource's own triples come first (Map groups by subject);
		// its links join them so that the subject stays contiguous.
		head := 0
		for head < len(frTriples) && frTriples[head].S.Kind == kindIRI && frTriples[head].S.Value == fr.d.IRI {
			head++
		}
		ts = append(ts, frTriples[:head]...)
		for _, l := range fr.d.Links {
			t, ok := onPage[l.TargetFileID]
			if !ok && p.Resolve != nil {
				if r := p.Resolve(l.TargetFileID); r != nil {
					t, ok = onPage[r.d.FileID]
				}
			}
			if ok && t != fr {
				ts = append(ts, Triple{S: iri(fr.d.IRI), P: iri(l.Predicate), O: iri(t.d.IRI)})
			}
		}
		ts = append(ts, frTriples[head:]...)
	}
	return ts, nil
}

// WriteDataset writes one record's document: its fragment, its resolved
// cross-record links and a typed stub (type, identifier, title,
// description) of each link target. resolve may be nil.
func WriteDataset(w io.Writer, f Format, frag *Fragment, resolve func(string) *Fragment) error {
	if frag == nil {
		return fmt.Errorf("write dataset: nil fragment: %w", ErrInvalid)
	}
	own, _ := frag.triples()
	ts := make([]Triple, 0, len(own)+8)
	ts = append(ts, own...)
	seen := map[string]bool{}
	if resolve != nil {
		for _, l := range frag.d.Links {
			t := resolve(l.TargetFileID)
			if t == nil || t.d.IRI == frag.d.IRI {
				continue
			}
			ts = append(ts, Triple{S: iri(frag.d.IRI), P: iri(l.Predicate), O: iri(t.d.IRI)})
			if !seen[t.d.IRI] {
				seen[t.d.IRI] = true
				_, stub := t.triples()
				ts = append(ts, stub...)
			}
		}
	}
	return writeTriples(w, f, groupBySubject(ts))
}

// OrderForPage orders fragments so that links can land on one page: each
// series is followed by its members, each dataset by the services serving
// it (a service after the first of its datasets), the rest keeping their
// order. The result is a new slice; the order is stable.
func OrderForPage(frags []*Fragment) []*Fragment {
	index := map[string]*Fragment{}
	for _, f := range frags {
		if f == nil {
			continue
		}
		for _, k := range []string{f.d.FileID, f.d.Identifier} {
			if _, dup := index[k]; !dup && k != "" {
				index[k] = f
			}
		}
	}
	members := map[*Fragment][]*Fragment{}  // series → members
	services := map[*Fragment][]*Fragment{} // dataset → services
	attached := map[*Fragment]bool{}
	for _, f := range frags {
		if f == nil {
			continue
		}
		for _, l := range f.d.Links {
			t := index[l.TargetFileID]
			if t == nil || t == f {
				continue
			}
			if l.Predicate == nsDCAT+"inSeries" && t.d.Kind == "series" && f.d.Kind != "service" && !attached[f] {
				members[t] = append(members[t], f)
				attached[f] = true
				break
			}
			if l.Predicate == nsDCAT+"servesDataset" && f.d.Kind == "service" && !attached[f] {
				services[t] = append(services[t], f)
				attached[f] = true
				break
			}
		}
	}
	out := make([]*Fragment, 0, len(frags))
	emitted := map[*Fragment]bool{}
	var emit func(f *Fragment, depth int)
	emit = func(f *Fragment, depth int) {
		if emitted[f] || depth > 3 {
			return
		}
		emitted[f] = true
		out = append(out, f)
		for _, m := range members[f] {
			emit(m, depth+1)
		}
		for _, s := range services[f] {
			emit(s, depth+1)
		}
	}
	for _, f := range frags {
		if f != nil && !attached[f] {
			emit(f, 0)
		}
	}
	for _, f := range frags { // members of cycles or too-deep chains
		if f != nil && !emitted[f] {
			emitted[f] = true
			out = append(out, f)
		}
	}
	return out
}
