package harvest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/csw/client"
)

// maxFileBytes bounds one file of a dir catalog.
const maxFileBytes = 64 << 20

// walkResult is what a source says about its walk.
type walkResult struct {
	matched    int
	complete   bool
	requests   int
	advertised string
	final      string
	notes      []string
	problems   []Problem
}

// source delivers a catalog's records: fn per record (position from 1),
// matched once known.
type source func(ctx context.Context, fn func(pos int, raw []byte) error, matched func(int)) (*walkResult, error)

func (r *run) source() source {
	if r.cat.Dir != "" {
		return dirSource(r.cat.Dir, r.limits())
	}
	return r.cswSource()
}

func (r *run) cswSource() source {
	return func(ctx context.Context, fn func(int, []byte) error, matched func(int)) (*walkResult, error) {
		if r.h.Client == nil {
			return nil, errors.New("no CSW client configured")
		}
		ep := client.Endpoint{
			URL:            r.cat.URL,
			PageSize:       r.cat.PageSize,
			Timeout:        r.cat.Timeout,
			Constraint:     r.cat.Constraint,
			NamespaceParam: r.cat.NamespaceParam,
			CQLTextParam:   r.cat.CQLTextParam,
			BriefThenByID:  r.cat.BriefThenByID,
			Sort:           r.cat.Sort,
			Headers:        r.cat.Headers,
			Limits:         r.limits(),
		}
		wr, err := r.h.Client.Walk(ctx, ep, func(rec client.Record) error {
			return fn(rec.Position, rec.Raw)
		})
		if wr == nil {
			return nil, err
		}
		matched(wr.Matched)
		res := &walkResult{
			matched:    wr.Matched,
			complete:   wr.Complete,
			requests:   wr.Requests,
			advertised: wr.AdvertisedURL,
			final:      wr.FinalURL,
			notes:      wr.Notes,
		}
		for _, pe := range wr.PageErrors {
			res.problems = append(res.problems, Problem{Page: &PageRef{Start: pe.Start, Size: pe.Size}, Reason: pe.Reason})
		}
		for _, re := range wr.RecordErrors {
			res.problems = append(res.problems, Problem{RecordID: re.ID, Reason: fmt.Sprintf("record at position %d skipped: %s", re.Position, re.Reason)})
		}
		return res, err
	}
}

// limits are the record limits of the configuration's [harvest] table.
func (r *run) limits() csw.Limits {
	return csw.Limits{RecordBytes: r.cfg.Harvest.RecordBytes(), TextBytes: r.cfg.Harvest.TextBytes()}
}

// dirSource reads every *.xml file of a folder, in name order. A file is
// one record, or a CSW GetRecords / GetRecordById response whose records
// are taken one by one. A record past lim is skipped with a problem.
// Records are delivered as each file is read: memory holds one file, not
// the catalog; the count is known at the end.
func dirSource(dir string, lim csw.Limits) source {
	return func(ctx context.Context, fn func(int, []byte) error, matched func(int)) (*walkResult, error) {
		files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		if len(files) == 0 {
			if _, err := os.Stat(dir); err != nil {
				return nil, fmt.Errorf("read catalog folder: %w", err)
			}
		}
		sort.Strings(files)
		res := &walkResult{complete: true}
		pos := 0
		deliver := func(raw []byte) error {
			pos++
			return fn(pos, raw)
		}
		var stop error // fn's error: stops the walk
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			data, err := readFile(f)
			if err != nil {
				res.complete = false
				res.problems = append(res.problems, Problem{Reason: err.Error()})
				continue
			}
			if !isEnvelope(data) {
				if why := overLimits(data, lim); why != "" {
					res.complete = false
					res.problems = append(res.problems, Problem{Reason: fmt.Sprintf("%s: %s", filepath.Base(f), why)})
					continue
				}
				if err := deliver(data); err != nil {
					return res, err
				}
				continue
			}
			n := 0
			_, err = csw.SplitRecordsLimited(bytes.NewReader(data), lim, func(raw []byte) error {
				n++
				if stop = deliver(raw); stop != nil {
					return stop
				}
				return nil
			}, func(reason string) error {
				n++
				res.complete = false
				res.problems = append(res.problems, Problem{Reason: fmt.Sprintf("%s: record %d: %s", filepath.Base(f), n, reason)})
				return nil
			})
			if stop != nil {
				return res, stop
			}
			if err != nil {
				res.complete = false
				res.problems = append(res.problems, Problem{Reason: fmt.Sprintf("%s: %v", filepath.Base(f), err)})
			}
		}
		res.matched = pos
		matched(pos)
		return res, nil
	}
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", filepath.Base(path), maxFileBytes)
	}
	return data, nil
}

// isEnvelope reports whether a document's root is a CSW response holding
// records.
func isEnvelope(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			name := se.Name.Local
			return strings.HasSuffix(name, "GetRecordsResponse") || strings.HasSuffix(name, "GetRecordByIdResponse")
		}
	}
}

// overLimits says why a one-record file is past the record limits ("" if
// it is not): its size, or a text node or attribute value too long.
func overLimits(data []byte, lim csw.Limits) string {
	if lim.RecordBytes > 0 && len(data) > lim.RecordBytes {
		return fmt.Sprintf("record larger than %d bytes (max_record_bytes): skipped", lim.RecordBytes)
	}
	if lim.TextBytes <= 0 {
		return ""
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "" // malformed records are the parser's to report
		}
		long := false
		switch t := tok.(type) {
		case xml.CharData:
			long = len(t) > lim.TextBytes
		case xml.StartElement:
			for _, a := range t.Attr {
				long = long || len(a.Value) > lim.TextBytes
			}
		}
		if long {
			return fmt.Sprintf("text node longer than %d bytes (max_text_bytes): record skipped", lim.TextBytes)
		}
	}
}
