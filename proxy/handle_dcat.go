package proxy

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/served"
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
// conflicts left out, modified_since applied, in page order, with the
// heads of their fragments (what the order is computed from; a page loads
// its full fragments with PageFragments).
//
// Without modified_since the order is computed once per view (a view is
// rebuilt for a new generation or configuration): a page of a big catalog
// then costs its own fragments, not a pass over every record.
func (s *Server) feedRecords(c *fiber.Ctx, cfg *config.Config, v *served.View, p listParams) ([]*served.Record, []*dcat.Fragment, error) {
	return s.feedSelect(c.UserContext(), cfg, v, p)
}

// feedSelect is feedRecords on a context.
func (s *Server) feedSelect(ctx context.Context, cfg *config.Config, v *served.View, p listParams) ([]*served.Record, []*dcat.Fragment, error) {
	if p.since.IsZero() {
		o := v.Memo("feed-order", func() any {
			recs, frags := s.orderFeed(ctx, cfg, v, p)
			return feedOrder{recs, frags}
		}).(feedOrder)
		return o.recs, o.frags, nil
	}
	recs, frags := s.orderFeed(ctx, cfg, v, p)
	return recs, frags, nil
}

type feedOrder struct {
	recs  []*served.Record
	frags []*dcat.Fragment
}

func (s *Server) orderFeed(ctx context.Context, cfg *config.Config, v *served.View, p listParams) ([]*served.Record, []*dcat.Fragment) {
	s.state.Fragments(ctx, cfg, v)
	var recs []*served.Record
	var frags []*dcat.Fragment
	byFrag := map[*dcat.Fragment]*served.Record{}
	servedBy := map[string]string{} // identifier → catalog/fileIdentifier serving it
	for _, r := range v.Records {
		if r.Entry.Conflict != "" {
			continue
		}
		// Across the catalogs of one feed, an identifier is served once:
		// the first source catalog keeps it (udata matches on it).
		if owner, dup := servedBy[r.Entry.Identifier]; dup {
			s.log.Warn("identifier served twice in one feed: left out", "identifier", r.Entry.Identifier,
				"catalog", r.CatalogID, "id", r.Entry.ID, "served_by", owner)
			continue
		}
		servedBy[r.Entry.Identifier] = r.CatalogID + "/" + r.Entry.ID
		if !p.since.IsZero() && r.Entry.FirstStored.Before(p.since) {
			continue
		}
		data := v.DataOf(r.CatalogID)
		f, err := s.state.Head(ctx, cfg, data, r)
		if err != nil {
			s.log.Warn("record left out of feed", "catalog", r.CatalogID, "id", r.Entry.ID, "err", err)
			continue
		}
		byFrag[f] = r
		frags = append(frags, f)
	}
	frags = dcat.OrderForPage(frags)
	recs = make([]*served.Record, len(frags))
	for i, f := range frags {
		recs[i] = byFrag[f]
	}
	return recs, frags
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
			recs, frags, err := s.feedRecords(c, cfg, v, p)
			if err != nil {
				return nil, err
			}
			from, to, ok := p.window(len(frags))
			if !ok {
				return nil, notFound("page %d is past the last page (%d records, %d per page)", p.page, len(frags), p.pageSize)
			}
			full, err := s.state.PageFragments(c.UserContext(), cfg, v, recs[from:to])
			if err != nil {
				return nil, internal(err)
			}
			opt := dcat.Options{PublicURL: cfg.Server.PublicURL, Catalog: s.feedCatalogInfo(cfg, kind, v)}
			q := url.Values{}
			for k, vals := range c.Queries() {
				q.Set(k, vals)
			}
			page := &dcat.Page{
				Options:   opt,
				Fragments: full,
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
func (s *Server) feedCatalogInfo(cfg *config.Config, kind string, v *served.View) dcat.CatalogInfo {
	switch kind {
	case "catalog", "producer":
		opt := served.MapOptions(cfg, v.Catalogs[0].ID)
		info := opt.Catalog
		if kind == "producer" {
			info.ID = v.ID
			info.Title = v.Title
			info.Description = "Fiches de " + v.Title + " (" + opt.Catalog.Title + "), moissonnées par passerelle."
		}
		return info
	default:
		org := cfg.Organization(v.ID)
		info := dcat.CatalogInfo{ID: "organizations/" + v.ID, Title: v.Title, Publisher: v.Title}
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
func (s *Server) viewFor(c *fiber.Ctx, cfg *config.Config, kind string) (*served.View, error) {
	ctx := c.UserContext()
	var v *served.View
	var err error
	switch kind {
	case "catalog":
		v, err = s.state.CatalogView(ctx, cfg, c.Params("catalog"))
	case "producer":
		v, err = s.state.ProducerView(ctx, cfg, c.Params("catalog"), c.Params("producer"))
	default:
		v, err = s.state.OrganizationView(ctx, cfg, c.Params("org"))
	}
	if err != nil {
		return nil, fromServed(err)
	}
	return v, nil
}

// knownExts are the extensions a dataset document URL may end with.
var knownExts = []string{".ttl", ".rdf", ".jsonld", ".nt", ".json"}

// handleDataset serves one record's document: /catalogs/{catalog}/datasets/{id}[.ext].
// Identifiers contain dots, slashes and colons: the whole rest of the path
// is the (percent-encoded) id, and a known extension is stripped here.
func (s *Server) handleDataset(c *fiber.Ctx) error {
	cfg := s.config()
	v, err := s.state.CatalogView(c.UserContext(), cfg, c.Params("catalog"))
	if err != nil {
		return fromServed(err)
	}
	data := v.Catalogs[0]
	rest := c.Params("*")
	raw, err := url.PathUnescape(rest)
	if err != nil {
		return badRequest("dataset id: bad percent-encoding in %q", rest)
	}
	ext := ""
	r := data.ByID[raw]
	if r == nil {
		for _, e := range knownExts {
			if strings.HasSuffix(raw, e) {
				if r = data.ByID[strings.TrimSuffix(raw, e)]; r != nil {
					ext = strings.TrimPrefix(e, ".")
					break
				}
			}
		}
	}
	if r == nil {
		return notFound("catalog %q has no record %q", data.ID, raw)
	}
	if ext == "json" {
		return s.sendItem(c, cfg, v, r)
	}
	f, err := feedFormat(c, ext)
	if err != nil {
		return err
	}
	base := cfg.Server.PublicURL + "/catalogs/" + data.ID + "/datasets/" + url.PathEscape(r.Entry.ID)
	c.Set(fiber.HeaderLink, formatLinks(base, ext)+`, <`+base+`.json>; rel="alternate"; type="application/json"`)
	return s.send(c, v, f.MediaType()+"; charset=utf-8", func() ([]byte, error) {
		frag, err := s.state.Fragment(c.UserContext(), cfg, data, r)
		if err != nil {
			return nil, internal(err)
		}
		resolve := func(id string) *dcat.Fragment {
			t := data.ByID[id]
			if t == nil {
				return nil
			}
			tf, err := s.state.Fragment(c.UserContext(), cfg, data, t)
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
