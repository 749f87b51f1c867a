package dcat

import (
	"strings"
	"time"
)

// dateValue is a parsed ISO 8601 date or date-time with its precision.
type dateValue struct {
	T     time.Time
	Kind  string // "gYear", "gYearMonth", "date", "dateTime"
	Lex   string // canonical lexical form for Kind
	Zoned bool   // dateTime with an explicit offset
}

var dateTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
}

// parseDate parses the date forms found in ISO records and GML positions:
// YYYY, YYYY-MM, YYYY-MM-DD, date-times with or without offset. A date-time
// at midnight UTC stays a date-time. ok is false for anything else.
func parseDate(s string) (dateValue, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return dateValue{}, false
	}
	switch len(s) {
	case 4:
		if t, err := time.Parse("2006", s); err == nil {
			return dateValue{T: t, Kind: "gYear", Lex: t.Format("2006")}, true
		}
	case 7:
		if t, err := time.Parse("2006-01", s); err == nil {
			return dateValue{T: t, Kind: "gYearMonth", Lex: t.Format("2006-01")}, true
		}
	case 10:
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return dateValue{T: t, Kind: "date", Lex: t.Format("2006-01-02")}, true
		}
	}
	// A date with a zone suffix ("2012-03-01Z", "2012-03-01+02:00"): keep the day.
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && (s[10] == 'Z' || s[10] == '+' || (s[10] == '-' && len(s) == 16)) {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return dateValue{T: t, Kind: "date", Lex: t.Format("2006-01-02")}, true
		}
	}
	for i, layout := range dateTimeLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		zoned := i < 2 || i == 4
		lex := t.Format("2006-01-02T15:04:05")
		if t.Nanosecond() != 0 {
			lex = t.Format("2006-01-02T15:04:05.999999999")
		}
		if zoned {
			if _, off := t.Zone(); off == 0 {
				lex += "Z"
			} else {
				lex += t.Format("-07:00")
			}
		}
		return dateValue{T: t, Kind: "dateTime", Lex: lex, Zoned: zoned}, true
	}
	return dateValue{}, false
}

// term returns the typed literal of the value.
func (d dateValue) term() Term { return typed(d.Lex, nsXSD+d.Kind) }

// day returns YYYY-MM-DD for udata's temporal_coverage; start says whether a
// partial date is the start (first day) or the end (last day) of its span.
func (d dateValue) day(start bool) string {
	t := d.T
	switch d.Kind {
	case "gYear":
		if !start {
			t = time.Date(t.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
		}
	case "gYearMonth":
		if !start {
			t = time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		}
	}
	return t.Format("2006-01-02")
}
