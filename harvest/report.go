package harvest

import (
	"time"

	"github.com/passerelle/passerelle/config"
)

// Harvest statuses.
const (
	StatusOK      = "ok"      // every position 1..matched was fetched
	StatusPartial = "partial" // some positions could not be fetched: nothing removed
	StatusFailed  = "failed"  // nothing usable, or the drop guard: previous snapshot kept
)

// Report is what one harvest of one catalog did. Its JSON form is the line
// `passerelle harvest --json` prints and what the cache keeps.
type Report struct {
	Catalog    string    `json:"catalog"`
	Status     string    `json:"status"`
	Started    time.Time `json:"started"`
	Matched    int       `json:"matched"`
	Fetched    int       `json:"fetched"`
	Parsed     int       `json:"parsed"`
	Failed     int       `json:"failed"`
	Added      int       `json:"added"`
	Updated    int       `json:"updated"`
	Unchanged  int       `json:"unchanged"`
	Removed    int       `json:"removed"`
	Duplicates int       `json:"duplicates"`
	Records    int       `json:"records"` // records in the snapshot served after this run
	DurationMS int64     `json:"duration_ms"`
	Errors     []Problem `json:"errors"`
	// Generation is the snapshot generation served after this run; Kept
	// says the previous snapshot was kept whole (failed runs).
	Generation    int64    `json:"generation"`
	Kept          bool     `json:"kept,omitempty"`
	Requests      int      `json:"requests,omitempty"`
	AdvertisedURL string   `json:"advertised_url,omitempty"`
	FinalURL      string   `json:"final_url,omitempty"`
	Notes         []string `json:"notes,omitempty"`
}

// Problem is one error of a report: about a record, a page, or the run.
type Problem struct {
	RecordID string   `json:"record_id,omitempty"`
	Page     *PageRef `json:"page,omitempty"`
	Reason   string   `json:"reason"`
}

// PageRef names a page of a CSW walk.
type PageRef struct {
	Start int `json:"start"`
	Size  int `json:"size"`
}

// maxProblems bounds a report: a catalog where everything fails must not
// produce a report as large as the catalog.
const maxProblems = 500

func (r *Report) problem(p Problem) {
	if len(r.Errors) == maxProblems {
		r.Errors = append(r.Errors, Problem{Reason: "more problems left out of this report"})
	}
	if len(r.Errors) > maxProblems {
		return
	}
	r.Errors = append(r.Errors, p)
}

// redact hides URL credentials (userinfo) wherever a report shows a URL:
// reports are published (reports.json, status page, harvest --json).
func (r *Report) redact() {
	r.AdvertisedURL = config.RedactURLs(r.AdvertisedURL)
	r.FinalURL = config.RedactURLs(r.FinalURL)
	for i := range r.Notes {
		r.Notes[i] = config.RedactURLs(r.Notes[i])
	}
	for i := range r.Errors {
		r.Errors[i].Reason = config.RedactURLs(r.Errors[i].Reason)
	}
}
