package proxy

import (
	"mime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/passerelle/passerelle/dcat"
)

// Paging limits of feeds and JSON views.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// listParams are the query parameters of feeds and JSON lists.
type listParams struct {
	page, pageSize int
	since          time.Time // zero: no filter
}

func parseListParams(c *fiber.Ctx) (listParams, error) {
	p := listParams{page: 1, pageSize: defaultPageSize}
	if v := c.Query("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, badRequest("page: must be a whole number from 1, got %q", v)
		}
		p.page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return p, badRequest("page_size: must be a whole number from 1 to %d, got %q", maxPageSize, v)
		}
		p.pageSize = n
	}
	if v := c.Query("modified_since"); v != "" {
		t, err := parseSince(v)
		if err != nil {
			return p, badRequest("modified_since: must be a date (2024-01-31) or an RFC 3339 time, got %q", v)
		}
		p.since = t
	}
	return p, nil
}

func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// window returns the [from, to) bounds of a page over n items, and whether
// the page exists (page 1 always does, even empty).
func (p listParams) window(n int) (from, to int, ok bool) {
	if p.page < 1 || p.pageSize < 1 {
		return 0, 0, false
	}
	// Bounds first: (page-1)*pageSize overflows for pages far past the end.
	pages := (n + p.pageSize - 1) / p.pageSize
	if p.page > 1 && p.page > pages {
		return 0, 0, false
	}
	from = (p.page - 1) * p.pageSize
	to = min(from+p.pageSize, n)
	if from > n {
		from = n
	}
	return from, to, true
}

// negotiate picks the RDF format from Accept (q-values honoured; Turtle by
// default and for */*); ok=false when nothing acceptable is offered.
func negotiate(accept string) (dcat.Format, bool) {
	if strings.TrimSpace(accept) == "" {
		return dcat.Turtle, true
	}
	type choice struct {
		f     dcat.Format
		q     float64
		order int
	}
	var choices []choice
	for i, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case "*/*", "text/*":
			choices = append(choices, choice{dcat.Turtle, q - 0.0001, i})
		case "application/*":
			choices = append(choices, choice{dcat.RDFXML, q - 0.0001, i})
		default:
			if f, ok := dcat.FormatFromMediaType(mt); ok {
				choices = append(choices, choice{f, q, i})
			}
		}
	}
	if len(choices) == 0 {
		return 0, false
	}
	sort.SliceStable(choices, func(a, b int) bool { return choices[a].q > choices[b].q })
	return choices[0].f, true
}
