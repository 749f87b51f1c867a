package proxy

import (
	"bytes"
	"context"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/dcat"
)

// handleCSW answers the CSW facade of a catalog, producer or organization,
// over GET (KVP) and POST (XML), from the current snapshot only.
func (s *Server) handleCSW(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cfg := s.config()
		var req *csw.Request
		var err error
		if c.Method() == fiber.MethodPost {
			req, err = s.facade.ParseXML(c.Body())
		} else {
			q := url.Values{}
			c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
				q.Add(string(k), string(v))
			})
			req, err = csw.ParseKVP(q)
		}
		if err != nil {
			status, ct, body := s.facade.Error(err)
			return s.cswAnswer(c, status, ct, body)
		}
		v, err := s.viewFor(c, cfg, kind)
		if err != nil {
			return err
		}
		ep := s.cswEndpoint(cfg, c, kind, v)
		entries := s.cswEntries(v)
		if c.Method() == fiber.MethodPost {
			// POST answers are not HTTP-cacheable, but the same query
			// against the same generation is assembled once.
			key := v.generationKey() + "|POST|" + c.Path() + "|" + req.CacheKey()
			if hit, ok := s.cache.get(key); ok {
				return s.cswAnswer(c, hit.status, hit.contentType, hit.body)
			}
			status, ct, body := s.facade.Serve(ep, req, entries)
			if status == fiber.StatusOK {
				s.cache.put(&cached{key: key, body: body, contentType: ct, status: status})
			}
			return s.cswAnswer(c, status, ct, body)
		}
		return s.send(c, v, req.ContentType(), func() ([]byte, error) {
			status, _, body := s.facade.Serve(ep, req, entries)
			if status != fiber.StatusOK {
				return nil, &cswError{status: status, body: body}
			}
			return body, nil
		})
	}
}

// cswError carries an exception answer out of a cached build.
type cswError struct {
	status int
	body   []byte
}

func (e *cswError) Error() string { return "csw exception" }

func (s *Server) cswAnswer(c *fiber.Ctx, status int, contentType string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	return c.Status(status).Send(body)
}

func (s *Server) cswEndpoint(cfg *config.Config, c *fiber.Ctx, kind string, v *view) csw.Endpoint {
	base := cfg.Server.PublicURL
	ep := csw.Endpoint{Title: v.title, Provider: "passerelle"}
	switch kind {
	case "catalog":
		ep.URL = base + "/catalogs/" + c.Params("catalog") + "/csw"
		if cat := cfg.Catalog(c.Params("catalog")); cat != nil {
			ep.Abstract = cat.Description
			if cat.Publisher != "" {
				ep.Provider = cat.Publisher
			}
		}
	case "producer":
		ep.URL = base + "/catalogs/" + c.Params("catalog") + "/producers/" + c.Params("producer") + "/csw"
		ep.Abstract = "Fiches de " + v.title
	default:
		ep.URL = base + "/organizations/" + c.Params("org") + "/csw"
		ep.Abstract = "Fiches de l'organisation " + v.title
		ep.Provider = v.title
	}
	return ep
}

// cswEntries are the facade entries of a view, sorted by identifier,
// built once per view.
func (s *Server) cswEntries(v *view) []*csw.Entry {
	v.cswOnce.Do(func() { v.csw = buildCSWEntries(v) })
	return v.csw
}

func buildCSWEntries(v *view) []*csw.Entry {
	out := make([]*csw.Entry, 0, len(v.records))
	if len(v.catalogs) == 1 {
		for _, r := range v.records {
			out = append(out, r.csw)
		}
		return out
	}
	// Several catalogs: a fileIdentifier is served once (clients such as
	// OWSLib key records by it), the first source catalog keeping it.
	seen := make(map[string]bool, len(v.records))
	for _, r := range v.records {
		if !seen[r.entry.ID] {
			seen[r.entry.ID] = true
			out = append(out, r.csw)
		}
	}
	sortEntries(out)
	return out
}

// cswDCAT renders one facade entry as a self-contained rdf:RDF document,
// for the DCAT and GeoDCAT-AP output schemas.
func (s *Server) cswDCAT(e *csw.Entry) ([]byte, error) {
	r := s.state.owner(e)
	if r == nil {
		return nil, fmt.Errorf("no record behind entry %q", e.ID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	cfg := s.config()
	data, err := s.state.catalog(ctx, r.catalog)
	if err != nil {
		return nil, err
	}
	frag, err := s.fragment(ctx, cfg, data, r)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = dcat.WriteDataset(&b, dcat.RDFXML, frag, func(id string) *dcat.Fragment {
		if t := data.byID[id]; t != nil {
			if f, err := s.fragment(ctx, cfg, data, t); err == nil {
				return f
			}
		}
		return nil
	})
	return b.Bytes(), err
}

// cswRaw reads an entry's harvested bytes from the store, for ISO full
// answers.
func (s *Server) cswRaw(e *csw.Entry) ([]byte, error) {
	r := s.state.owner(e)
	if r == nil {
		return nil, fmt.Errorf("no record behind entry %q", e.ID)
	}
	if s.state.storeDown() {
		return nil, fmt.Errorf("read raw record %q of %q: %w", r.entry.ID, r.catalog, cache.ErrUnavailable)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	recs, err := s.state.store.Records(ctx, r.catalog, []string{r.entry.Hash})
	if err != nil {
		s.state.noteStoreErr(err)
		return nil, fmt.Errorf("read raw record %q of %q: %w", r.entry.ID, r.catalog, err)
	}
	return recs[0].Raw, nil
}
