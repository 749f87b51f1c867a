package proxy

import (
	"bytes"
	"context"
	"fmt"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/csw/facade"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/iso"
	"github.com/passerelle/passerelle/served"
)

// handleCSW answers the CSW facade of a catalog, producer or organization,
// over GET (KVP) and POST (XML), from the current snapshot only.
func (s *Server) handleCSW(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cfg := s.config()
		var req *facade.Request
		var err error
		if c.Method() == fiber.MethodPost {
			req, err = s.facade.ParseXML(c.Body())
		} else {
			q := url.Values{}
			c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
				q.Add(string(k), string(v))
			})
			req, err = facade.ParseKVP(q)
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
		entries, err := s.state.CSWEntries(c.UserContext(), v)
		if err != nil {
			return internal(err)
		}
		if c.Method() == fiber.MethodPost {
			// POST answers are not HTTP-cacheable, but the same query
			// against the same generation is assembled once.
			key := v.GenerationKey() + "|POST|" + c.Path() + "|" + req.CacheKey()
			if hit, ok := s.cache.get(key); ok {
				return s.cswAnswer(c, hit.status, hit.contentType, hit.body)
			}
			status, ct, body := s.facade.Serve(c.UserContext(), ep, req, entries)
			if status == fiber.StatusOK {
				s.cache.put(&cached{key: key, body: body, contentType: ct, status: status})
			}
			return s.cswAnswer(c, status, ct, body)
		}
		return s.send(c, v, req.ContentType(), func() ([]byte, error) {
			status, _, body := s.facade.Serve(c.UserContext(), ep, req, entries)
			if status != fiber.StatusOK {
				return nil, &cswError{status: status, body: body}
			}
			return body, nil
		})
	}
}

// cswRetryAfter is the Retry-After of a facade answer that could not read
// the records it writes (store unreachable), as internal's.
const cswRetryAfter = "5"

// cswModels reads the models of the records a facade answer writes,
// logging why when it cannot (the facade's answer says only "retry").
func (s *Server) cswModels(ctx context.Context, es []*facade.Entry) ([]*iso.Record, error) {
	ms, err := s.state.CSWModels(ctx, es)
	if err != nil {
		s.log.Warn("csw: records of the page not readable", "records", len(es), "err", err)
	}
	return ms, err
}

// cswError carries an exception answer out of a cached build.
type cswError struct {
	status int
	body   []byte
}

func (e *cswError) Error() string { return "csw exception" }

func (s *Server) cswAnswer(c *fiber.Ctx, status int, contentType string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, cswRetryAfter)
	}
	return c.Status(status).Send(body)
}

func (s *Server) cswEndpoint(cfg *config.Config, c *fiber.Ctx, kind string, v *served.View) facade.Endpoint {
	base := cfg.Server.PublicURL
	ep := facade.Endpoint{Title: v.Title, Provider: "passerelle"}
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
		ep.Abstract = "Fiches de " + v.Title
	default:
		ep.URL = base + "/organizations/" + c.Params("org") + "/csw"
		ep.Abstract = "Fiches de l'organisation " + v.Title
		ep.Provider = v.Title
	}
	return ep
}

// cswDCAT renders one facade entry as a self-contained rdf:RDF document,
// for the DCAT and GeoDCAT-AP output schemas, within the request's ctx.
// The record is the one of the entry's catalog at the entry's hash: a
// catalog reloaded since the entries were built may no longer hold it.
func (s *Server) cswDCAT(ctx context.Context, e *facade.Entry) ([]byte, error) {
	cfg := s.config()
	data, err := s.state.Catalog(ctx, e.Catalog)
	if err != nil {
		return nil, err
	}
	r := data.ByID[e.ID]
	if r == nil || r.Entry.Hash != e.Hash {
		return nil, fmt.Errorf("no record %q (%s) in catalog %q any more", e.ID, e.Hash, e.Catalog)
	}
	frag, err := s.state.Fragment(ctx, cfg, data, r)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = dcat.WriteDataset(&b, dcat.RDFXML, frag, func(id string) *dcat.Fragment {
		if t := data.ByID[id]; t != nil {
			if f, err := s.state.Fragment(ctx, cfg, data, t); err == nil {
				return f
			}
		}
		return nil
	})
	return b.Bytes(), err
}

// cswRaw reads an entry's harvested bytes from the store, for ISO full
// answers, within the request's ctx.
func (s *Server) cswRaw(ctx context.Context, e *facade.Entry) ([]byte, error) {
	if s.state.StoreDown() {
		return nil, fmt.Errorf("read raw record %q of %q: %w", e.ID, e.Catalog, cache.ErrUnavailable)
	}
	recs, err := s.state.Store().Records(ctx, e.Catalog, []string{e.Hash})
	if err != nil {
		s.state.NoteStoreErr(err)
		return nil, fmt.Errorf("read raw record %q of %q: %w", e.ID, e.Catalog, err)
	}
	return recs[0].Raw, nil
}
