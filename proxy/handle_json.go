package proxy

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/served"
)

const jsonType = "application/json; charset=utf-8"

// catalogSummary is one element of /catalogs.json.
type catalogSummary struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Source      string `json:"source"`
	viewCounts
	Generation int64     `json:"generation"`
	Harvested  time.Time `json:"harvested,omitzero"`
	Status     string    `json:"status"` // "ok", "partial" or "never harvested"
	Links      struct {
		Catalog   string `json:"catalog"`
		Datasets  string `json:"datasets"`
		Producers string `json:"producers"`
		CSW       string `json:"csw"`
	} `json:"links"`
}

func (s *Server) handleCatalogs(c *fiber.Ctx) error {
	cfg := s.config()
	base := cfg.Server.PublicURL
	out := make([]catalogSummary, 0, len(cfg.Catalogs))
	for _, cat := range cfg.Catalogs {
		sum := catalogSummary{ID: cat.ID, Title: cat.Title, Description: cat.Description, Source: config.RedactURLs(cat.URL)}
		if cat.Dir != "" {
			sum.Source = "folder"
		}
		data, err := s.state.Catalog(c.UserContext(), cat.ID)
		switch {
		case errors.Is(err, served.ErrNotReady):
			sum.Status = "never harvested"
		case err != nil:
			return internal(err)
		default:
			v, err := s.state.CatalogView(c.UserContext(), cfg, cat.ID)
			if err != nil {
				return fromServed(err)
			}
			if sum.viewCounts, _, err = s.countView(c.UserContext(), cfg, v); err != nil {
				return err
			}
			sum.Generation = data.Gen
			sum.Harvested = data.Snap.Created
			sum.Status = data.Snap.Status
		}
		p := base + "/catalogs/" + cat.ID
		sum.Links.Catalog = p + "/catalog.ttl"
		sum.Links.Datasets = p + "/datasets.json"
		sum.Links.Producers = p + "/producers.json"
		sum.Links.CSW = p + "/csw"
		out = append(out, sum)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return internal(err)
	}
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(body)
}

func (s *Server) handleProducers(c *fiber.Ctx) error {
	v, err := s.state.CatalogView(c.UserContext(), s.config(), c.Params("catalog"))
	if err != nil {
		return fromServed(err)
	}
	return s.send(c, v, jsonType, func() ([]byte, error) {
		_, inFeed, err := s.countView(c.UserContext(), s.config(), v)
		if err != nil {
			return nil, err
		}
		return json.Marshal(producerCounts(v, inFeed))
	})
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(`{"status":"ok","version":` + strconvQuote(s.version) + `}`)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
