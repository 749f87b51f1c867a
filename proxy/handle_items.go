package proxy

import (
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/dcat"
	"github.com/passerelle/passerelle/served"
)

// itemsPage is udata's paginated list shape.
type itemsPage struct {
	Data         []*dcat.Item `json:"data"`
	Page         int          `json:"page"`
	PageSize     int          `json:"page_size"`
	Total        int          `json:"total"`
	NextPage     *string      `json:"next_page"`
	PreviousPage *string      `json:"previous_page"`
}

// handleItems serves datasets.json beside a feed: the items a push would
// send, paged like udata's API, with the feed's records and order.
func (s *Server) handleItems(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cfg := s.config()
		v, err := s.viewFor(c, cfg, kind)
		if err != nil {
			return err
		}
		p, err := parseListParams(c)
		if err != nil {
			return err
		}
		return s.send(c, v, jsonType, func() ([]byte, error) {
			recs, _, err := s.feedRecords(c, cfg, v, p)
			if err != nil {
				return nil, err
			}
			if kind == "organization" {
				recs = withoutServices(recs)
			}
			from, to, ok := p.window(len(recs))
			if !ok {
				return nil, notFound("page %d is past the last page (%d records, %d per page)", p.page, len(recs), p.pageSize)
			}
			items, err := s.state.Items(c.UserContext(), cfg, v, recs[from:to])
			if err != nil {
				return nil, internal(err)
			}
			out := itemsPage{Data: items, Page: p.page, PageSize: p.pageSize, Total: len(recs)}
			base := s.feedURL(cfg, c, kind)
			base = base[:len(base)-len("catalog")] + "datasets.json"
			if to < len(recs) {
				u := pageLink(base, c, p.page+1)
				out.NextPage = &u
			}
			if p.page > 1 {
				u := pageLink(base, c, p.page-1)
				out.PreviousPage = &u
			}
			return json.Marshal(out)
		})
	}
}

// withoutServices keeps the records pushed as datasets (dcat.KindOf and
// dcat.PublishedAsDataset, the feed's rule): no services, no maps.
func withoutServices(recs []*served.Record) []*served.Record {
	out := recs[:0:0]
	for _, r := range recs {
		if dcat.PublishedAsDataset(dcat.KindOf(r.Entry.Type, "")) {
			out = append(out, r)
		}
	}
	return out
}

func pageLink(base string, c *fiber.Ctx, page int) string {
	q := url.Values{}
	for k, v := range c.Queries() {
		q.Set(k, v)
	}
	q.Set("page", strconv.Itoa(page))
	return base + "?" + q.Encode()
}

// sendItem serves one record's item: /catalogs/{catalog}/datasets/{id}.json.
func (s *Server) sendItem(c *fiber.Ctx, cfg *config.Config, v *served.View, r *served.Record) error {
	return s.send(c, v, jsonType, func() ([]byte, error) {
		items, err := s.state.Items(c.UserContext(), cfg, v, []*served.Record{r})
		if err != nil {
			return nil, internal(err)
		}
		return json.Marshal(items[0])
	})
}

// handleRecord answers a CatalogRecord IRI with the record's document.
func (s *Server) handleRecord(c *fiber.Ctx) error {
	return s.handleDataset(c)
}
