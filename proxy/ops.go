package proxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/served"
)

// reloadStatus is what /readyz says about the configuration in force.
type reloadStatus struct {
	loaded  time.Time // when the configuration in force was applied
	lastErr string    // the last refused reload, "" when the last try succeeded
	errAt   time.Time
}

// Reloaded records a configuration reload (the file watcher's or
// SIGHUP's): a valid cfg replaces the one in force (SetConfig); err, when
// not nil, is a refused file, kept for /readyz while the previous
// configuration stays in force.
func (s *Server) Reloaded(cfg *config.Config, err error) {
	st := reloadStatus{loaded: time.Now()}
	if prev := s.reload.Load(); prev != nil {
		st = *prev
	}
	if err != nil {
		st.lastErr, st.errAt = config.RedactURLs(err.Error()), time.Now() // /readyz is public
	} else {
		s.SetConfig(cfg)
		st.loaded, st.lastErr, st.errAt = time.Now(), "", time.Time{}
	}
	s.reload.Store(&st)
}

type readyCatalog struct {
	ID           string    `json:"id"`
	Snapshot     bool      `json:"snapshot"`
	Status       string    `json:"status,omitempty"`
	Created      time.Time `json:"created,omitzero"`
	AgeSeconds   float64   `json:"age_seconds,omitempty"`
	EverySeconds float64   `json:"every_seconds"`
	Stale        bool      `json:"stale"` // older than twice its interval
}

type readiness struct {
	Ready  bool `json:"ready"`
	Config struct {
		Path     string    `json:"path"`
		Hash     string    `json:"hash"`
		LoadedAt time.Time `json:"loaded_at,omitzero"`
	} `json:"config"`
	LastReloadError *struct {
		Error string    `json:"error"`
		At    time.Time `json:"at"`
	} `json:"last_reload_error,omitempty"`
	Store struct {
		Reachable bool   `json:"reachable"`
		Error     string `json:"error,omitempty"`
	} `json:"store"`
	Catalogs []readyCatalog `json:"catalogs"`
}

// handleReady answers 200 when the store answers and at least one catalog
// has a snapshot to serve, 503 otherwise; the body says why either way.
func (s *Server) handleReady(c *fiber.Ctx) error {
	cfg := s.config()
	ctx := c.UserContext()
	var r readiness
	r.Config.Path, r.Config.Hash = cfg.Path, cfg.Hash
	if st := s.reload.Load(); st != nil {
		r.Config.LoadedAt = st.loaded
		if st.lastErr != "" {
			r.LastReloadError = &struct {
				Error string    `json:"error"`
				At    time.Time `json:"at"`
			}{st.lastErr, st.errAt}
		}
	}
	if _, _, err := s.state.Store().Get(ctx, "readyz"); err != nil {
		r.Store.Error = "the store does not answer"
		s.log.Warn("readiness: store unreachable", "err", err)
	} else {
		r.Store.Reachable = true
	}
	anySnapshot := false
	r.Catalogs = make([]readyCatalog, 0, len(cfg.Catalogs))
	for _, cat := range cfg.Catalogs {
		rc := readyCatalog{ID: cat.ID, EverySeconds: cat.Every.Seconds()}
		if r.Store.Reachable {
			if data, err := s.state.Catalog(ctx, cat.ID); err == nil {
				anySnapshot = true
				age := time.Since(data.Snap.Created)
				rc.Snapshot, rc.Status, rc.Created = true, data.Snap.Status, data.Snap.Created
				rc.AgeSeconds = age.Round(time.Second).Seconds()
				rc.Stale = age > 2*cat.Every
			} else if !errors.Is(err, served.ErrNotReady) {
				s.log.Warn("readiness: catalog unreadable", "catalog", cat.ID, "err", err)
			}
		}
		r.Catalogs = append(r.Catalogs, rc)
	}
	r.Ready = r.Store.Reachable && anySnapshot
	body, err := json.Marshal(r)
	if err != nil {
		return internal(err)
	}
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if !r.Ready {
		c.Status(http.StatusServiceUnavailable)
	}
	return c.Send(body)
}

// orgSummary is one element of /organizations.json.
type orgSummary struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	DatagouvID string      `json:"datagouv_id"`
	Mode       string      `json:"mode"`
	Services   bool        `json:"services"`
	AutoPush   bool        `json:"auto_push,omitempty"`
	Sources    []orgSource `json:"sources"`
	Records    *int        `json:"records"` // null until every source catalog has a snapshot
	Links      struct {
		Catalog  string `json:"catalog"`
		Datasets string `json:"datasets"`
		CSW      string `json:"csw"`
	} `json:"links"`
}

type orgSource struct {
	Catalog   string   `json:"catalog"`
	Producers []string `json:"producers"`
}

func (s *Server) orgSummaries(c *fiber.Ctx, cfg *config.Config) []orgSummary {
	out := make([]orgSummary, 0, len(cfg.Organizations))
	for _, o := range cfg.Organizations {
		sum := orgSummary{ID: o.ID, Title: o.Title, DatagouvID: o.DatagouvID, Mode: o.Mode, Services: o.Services, AutoPush: o.AutoPush}
		for _, src := range o.Sources {
			sum.Sources = append(sum.Sources, orgSource{Catalog: src.Catalog, Producers: src.Producers})
		}
		if v, err := s.state.OrganizationView(c.UserContext(), cfg, o.ID); err == nil {
			n := len(v.Records)
			sum.Records = &n
		}
		p := cfg.Server.PublicURL + "/organizations/" + o.ID
		sum.Links.Catalog = p + "/catalog.ttl"
		sum.Links.Datasets = p + "/datasets.json"
		sum.Links.CSW = p + "/csw"
		out = append(out, sum)
	}
	return out
}

func (s *Server) handleOrganizations(c *fiber.Ctx) error {
	body, err := json.Marshal(s.orgSummaries(c, s.config()))
	if err != nil {
		return internal(err)
	}
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(body)
}
