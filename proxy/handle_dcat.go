package proxy

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
)

// feedFormat resolves a feed or document format from the route's extension
// or, without one, from Accept.
func feedFormat(c *fiber.Ctx, ext string) (dcat.Format, error) {
	if ext != "" {
		f, ok := dcat.FormatFromExt(ext)
		if !ok {
			return 0, notFound("unknown format %q (use ttl, rdf, jsonld or nt)", ext)
		}
		return f, nil
	}
	f, ok := negotiate(c.Get(fiber.HeaderAccept))
	if !ok {
		return 0, &HTTPError{Code: fiber.StatusNotAcceptable, Msg: "no acceptable RDF format: offer text/turtle, application/rdf+xml, application/ld+json or application/n-triples"}
	}
	return f, nil
}

// feedRecords are a view's records that DCAT feeds serve: identifier
// conflicts left out, modified_since applied, in page order.
func (s *Server) feedRecords(c *fiber.Ctx, cfg *config.Config, v *view, p listParams) ([]*record, []*dcat.Fragment, error) {
	return s.feedSelect(c.UserContext(), cfg, v, p)
}

// feedSelect is feedRecords on a context.
func (s *Server) feedSelect(ctx context.Context, cfg *config.Config, v *view, p listParams) ([]*record, []*dcat.Fragment, error) {
	s.fragments(ctx, cfg, v)
	var recs []*record
	var frags []*dcat.Fragment
	byFrag := map[*dcat.Fragment]*record{}
	served := map[string]string{} // identifier → catalog/fileIdentifier serving it
	for _, r := range v.records {
		if r.entry.Conflict != "" {
			continue
		}
		// Across the catalogs of one feed, an identifier is served once:
		// the first source catalog keeps it (udata matches on it).
		if owner, dup := served[r.entry.Identifier]; dup {
			s.log.Warn("identifier served twice in one feed: left out", "identifier", r.entry.Identifier,
				"catalog", r.catalog, "id", r.entry.ID, "served_by", owner)
			continue
		}
		served[r.entry.Identifier] = r.catalog + "/" + r.entry.ID
		if !p.since.IsZero() && r.entry.FirstStored.Before(p.since) {
			continue
		}
		data := v.dataOf(r.catalog)
		f, err := s.fragment(ctx, cfg, data, r)
		if err != nil {
			s.log.Warn("record left out of feed", "catalog", r.catalog, "id", r.entry.ID, "err", err)
			continue
		}
		byFrag[f] = r
		frags = append(frags, f)
	}
	frags = dcat.OrderForPage(frags)
	recs = make([]*record, len(frags))
	for i, f := range frags {
		recs[i] = byFrag[f]
	}
	return recs, frags, nil
}

func (v *view) dataOf(catalog string) *catalogData {
	for _, d := range v.catalogs {
		if d.id == catalog {
			return d
		}
	}
	return nil
}

// handleFeed serves a catalog, producer or organization feed page.
func (s *Server) handleFeed(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cfg := s.config()
		v, err := s.viewFor(c, cfg, kind)
		if err != nil {
			return err
		}
		ext := c.Params("ext")
		f, err := feedFormat(c, ext)
		if err != nil {
			return err
		}
		p, err := parseListParams(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderLink, formatLinks(s.feedURL(cfg, c, kind), ext))
		return s.send(c, v, f.MediaType()+"; charset=utf-8", func() ([]byte, error) {
			_, frags, err := s.feedRecords(c, cfg, v, p)
			if err != nil {
				return nil, err
			}
			from, to, ok := p.window(len(frags))
			if !ok {
				return nil, notFound("page %d is past the last page (%d records, %d per page)", p.page, len(frags), p.pageSize)
			}
			opt := dcat.Options{PublicURL: cfg.Server.PublicURL, Catalog: s.feedCatalogInfo(cfg, kind, v)}
			q := url.Values{}
			for k, vals := range c.Queries() {
				q.Set(k, vals)
			}
			page := &dcat.Page{
				Options:   opt,
				Fragments: frags[from:to],
				Total:     len(frags),
				Page:      p.page,
				PageSize:  p.pageSize,
				BaseURL:   s.feedURL(cfg, c, kind),
				Query:     q,
			}
			if ext != "" {
				page.Ext = "." + ext
			}
			var b bytes.Buffer
			if err := dcat.WritePage(&b, f, page); err != nil {
				return nil, internal(err)
			}
			return b.Bytes(), nil
		})
	}
}

// feedCatalogInfo describes the catalog node of a feed.
func (s *Server) feedCatalogInfo(cfg *config.Config, kind string, v *view) dcat.CatalogInfo {
	switch kind {
	case "catalog", "producer":
		opt := mapOptions(cfg, v.catalogs[0].id)
		info := opt.Catalog
		if kind == "producer" {
			info.ID = v.id
			info.Title = v.title
			info.Description = "Fiches de " + v.title + " (" + opt.Catalog.Title + "), moissonnées par passerelle."
		}
		return info
	default:
		org := cfg.Organization(v.id)
		info := dcat.CatalogInfo{ID: "organizations/" + v.id, Title: v.title, Publisher: v.title}
		if org != nil {
			info.Description = "Jeux de données de " + org.Title + " moissonnés par passerelle."
		}
		return info
	}
}

// feedURL is the absolute URL of a feed without extension or query.
func (s *Server) feedURL(cfg *config.Config, c *fiber.Ctx, kind string) string {
	base := cfg.Server.PublicURL
	switch kind {
	case "catalog":
		return base + "/catalogs/" + c.Params("catalog") + "/catalog"
	case "producer":
		return base + "/catalogs/" + c.Params("catalog") + "/producers/" + c.Params("producer") + "/catalog"
	default:
		return base + "/organizations/" + c.Params("org") + "/catalog"
	}
}

func formatLinks(base, current string) string {
	var parts []string
	for _, f := range []dcat.Format{dcat.Turtle, dcat.RDFXML, dcat.JSONLD, dcat.NTriples} {
		ext := strings.TrimPrefix(f.Ext(), ".")
		if ext == current {
			continue
		}
		parts = append(parts, "<"+base+"."+ext+`>; rel="alternate"; type="`+f.MediaType()+`"`)
	}
	return strings.Join(parts, ", ")
}

// viewFor resolves the view a route names.
func (s *Server) viewFor(c *fiber.Ctx, cfg *config.Config, kind string) (*view, error) {
	ctx := c.UserContext()
	switch kind {
	case "catalog":
		return s.state.catalogView(ctx, cfg, c.Params("catalog"))
	case "producer":
		return s.state.producerView(ctx, cfg, c.Params("catalog"), c.Params("producer"))
	default:
		return s.state.organizationView(ctx, cfg, c.Params("org"))
	}
}

// knownExts are the extensions a dataset document URL may end with.
var knownExts = []string{".ttl", ".rdf", ".jsonld", ".nt", ".json"}

// handleDataset serves one record's document: /catalogs/{catalog}/datasets/{id}[.ext].
// Identifiers contain dots, slashes and colons: the whole rest of the path
// is the (percent-encoded) id, and a known extension is stripped here.
func (s *Server) handleDataset(c *fiber.Ctx) error {
	cfg := s.config()
	v, err := s.state.catalogView(c.UserContext(), cfg, c.Params("catalog"))
	if err != nil {
		return err
	}
	data := v.catalogs[0]
	rest := c.Params("*")
	raw, err := url.PathUnescape(rest)
	if err != nil {
		return badRequest("dataset id: bad percent-encoding in %q", rest)
	}
	ext := ""
	r := data.byID[raw]
	if r == nil {
		for _, e := range knownExts {
			if strings.HasSuffix(raw, e) {
				if r = data.byID[strings.TrimSuffix(raw, e)]; r != nil {
					ext = strings.TrimPrefix(e, ".")
					break
				}
			}
		}
	}
	if r == nil {
		return notFound("catalog %q has no record %q", data.id, raw)
	}
	if ext == "json" {
		return s.sendItem(c, cfg, v, r)
	}
	f, err := feedFormat(c, ext)
	if err != nil {
		return err
	}
	base := cfg.Server.PublicURL + "/catalogs/" + data.id + "/datasets/" + url.PathEscape(r.entry.ID)
	c.Set(fiber.HeaderLink, formatLinks(base, ext)+`, <`+base+`.json>; rel="alternate"; type="application/json"`)
	return s.send(c, v, f.MediaType()+"; charset=utf-8", func() ([]byte, error) {
		frag, err := s.fragment(c.UserContext(), cfg, data, r)
		if err != nil {
			return nil, internal(err)
		}
		resolve := func(id string) *dcat.Fragment {
			t := data.byID[id]
			if t == nil {
				return nil
			}
			tf, err := s.fragment(c.UserContext(), cfg, data, t)
			if err != nil {
				return nil
			}
			return tf
		}
		var b bytes.Buffer
		if err := dcat.WriteDataset(&b, f, frag, resolve); err != nil {
			return nil, internal(err)
		}
		return b.Bytes(), nil
	})
}
