package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// reportSummary is the part of a stored harvest report the admin page and
// the metrics read (the report itself is harvest.Report's JSON).
type reportSummary struct {
	Catalog    string    `json:"catalog"`
	Status     string    `json:"status"`
	Started    time.Time `json:"started"`
	Matched    int       `json:"matched"`
	Fetched    int       `json:"fetched"`
	Failed     int       `json:"failed"`
	Records    int       `json:"records"`
	DurationMS int64     `json:"duration_ms"`
	Errors     []struct {
		RecordID string `json:"record_id"`
		Reason   string `json:"reason"`
	} `json:"errors"`
}

// handleReports serves a catalog's last harvest reports, newest first.
func (s *Server) handleReports(c *fiber.Ctx) error {
	id := c.Params("catalog")
	if s.config().Catalog(id) == nil {
		return notFound("no catalog %q", id)
	}
	reports, err := s.state.store.Reports(c.UserContext(), id)
	if err != nil {
		return internal(err)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range reports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteByte(']')
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(b.Bytes())
}

// lastReport returns a catalog's newest report, nil if none.
func (s *Server) lastReport(c *fiber.Ctx, id string) *reportSummary {
	reports, err := s.state.store.Reports(c.UserContext(), id)
	if err != nil || len(reports) == 0 {
		return nil
	}
	var r reportSummary
	if json.Unmarshal(reports[0], &r) != nil {
		return nil
	}
	return &r
}

// requestCounter counts answers per route and status for /metrics.
type requestCounter struct {
	mu sync.Mutex
	n  map[[2]string]uint64
}

func (rc *requestCounter) middleware(c *fiber.Ctx) error {
	err := c.Next()
	route := c.Route().Path // copied below: Fiber reuses its strings
	status := c.Response().StatusCode()
	if err != nil { // rendered by the error handler after this middleware
		status = fiber.StatusInternalServerError
		var he *HTTPError
		var fe *fiber.Error
		switch {
		case errors.As(err, &he):
			status = he.Code
		case errors.As(err, &fe):
			status = fe.Code
		}
		if status == fiber.StatusNotFound && strings.HasPrefix(he.safeMsg(), "no route") {
			route = "unmatched"
		}
	}
	route = strings.Clone(route)
	rc.mu.Lock()
	if rc.n == nil {
		rc.n = map[[2]string]uint64{}
	}
	rc.n[[2]string{route, fmt.Sprint(status)}]++
	rc.mu.Unlock()
	return err
}

// handleMetrics exposes Prometheus text metrics: requests per route and
// status, and per catalog the snapshot (records, generation, age) and the
// last harvest (status, duration, failures).
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString("# HELP passerelle_http_requests_total HTTP answers by route and status.\n# TYPE passerelle_http_requests_total counter\n")
	s.requests.mu.Lock()
	keys := make([][2]string, 0, len(s.requests.n))
	for k := range s.requests.n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(&b, "passerelle_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], s.requests.n[k])
	}
	s.requests.mu.Unlock()

	type gauge struct{ name, help string }
	gauges := []gauge{
		{"passerelle_snapshot_records", "Records in the catalog's served snapshot."},
		{"passerelle_snapshot_generation", "Generation of the catalog's served snapshot."},
		{"passerelle_snapshot_age_seconds", "Age of the catalog's served snapshot."},
		{"passerelle_harvest_last_ok", "1 when the catalog's last harvest was ok, 0 otherwise."},
		{"passerelle_harvest_last_duration_seconds", "Duration of the catalog's last harvest."},
		{"passerelle_harvest_last_failed_records", "Records that failed to parse in the last harvest."},
	}
	values := map[string][]string{}
	for _, cat := range s.config().Catalogs {
		if data, err := s.state.catalog(c.UserContext(), cat.ID); err == nil {
			values[gauges[0].name] = append(values[gauges[0].name], fmt.Sprintf("%s{catalog=%q} %d", gauges[0].name, cat.ID, len(data.records)))
			values[gauges[1].name] = append(values[gauges[1].name], fmt.Sprintf("%s{catalog=%q} %d", gauges[1].name, cat.ID, data.gen))
			values[gauges[2].name] = append(values[gauges[2].name], fmt.Sprintf("%s{catalog=%q} %.0f", gauges[2].name, cat.ID, time.Since(data.snap.Created).Seconds()))
		}
		if r := s.lastReport(c, cat.ID); r != nil {
			ok := 0
			if r.Status == "ok" {
				ok = 1
			}
			values[gauges[3].name] = append(values[gauges[3].name], fmt.Sprintf("%s{catalog=%q} %d", gauges[3].name, cat.ID, ok))
			values[gauges[4].name] = append(values[gauges[4].name], fmt.Sprintf("%s{catalog=%q} %.3f", gauges[4].name, cat.ID, float64(r.DurationMS)/1000))
			values[gauges[5].name] = append(values[gauges[5].name], fmt.Sprintf("%s{catalog=%q} %d", gauges[5].name, cat.ID, r.Failed))
		}
	}
	for _, g := range gauges {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", g.name, g.help, g.name)
		for _, v := range values[g.name] {
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(b.String())
}

func (e *HTTPError) safeMsg() string {
	if e == nil {
		return ""
	}
	return e.Msg
}
