package proxy

import (
	"bytes"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/config"
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
	reports, err := s.state.Store().Reports(c.UserContext(), id)
	if err != nil {
		return internal(err)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, r := range reports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(config.RedactURLs(string(r))) // reports written before redaction existed
	}
	b.WriteByte(']')
	c.Set(fiber.HeaderContentType, jsonType)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(b.Bytes())
}

// lastReport returns a catalog's newest report, nil if none.
func (s *Server) lastReport(c *fiber.Ctx, id string) *reportSummary {
	return s.lastReportOf(c.UserContext(), id)
}

func (e *HTTPError) safeMsg() string {
	if e == nil {
		return ""
	}
	return e.Msg
}
