package cswtest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
)

// ErrNotPage is returned by PageStart for a document that is not a
// GetRecordsResponse with csw:SearchResults.
var ErrNotPage = errors.New("cswtest: not a GetRecordsResponse page")

// PageStart returns the startPosition a recorded GetRecordsResponse page
// answered, with its numberOfRecordsMatched: nextRecord minus the records
// it holds (children of csw:SearchResults, counted), or, on the last page
// (nextRecord 0 or past the end), matched minus the records plus one.
func PageStart(page []byte) (start, matched int, err error) {
	dec := xml.NewDecoder(bytes.NewReader(page))
	dec.Strict = false
	depth, results, returned, next := 0, 0, 0, 0
	matched = -1
	for {
		tok, terr := dec.RawToken()
		if terr != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1 && t.Name.Local != "GetRecordsResponse":
				return 0, 0, fmt.Errorf("%w: root <%s>", ErrNotPage, t.Name.Local)
			case depth == 2 && t.Name.Local == "SearchResults":
				results = depth
				for _, a := range t.Attr {
					n, aerr := strconv.Atoi(a.Value)
					switch a.Name.Local {
					case "numberOfRecordsMatched":
						if aerr != nil || n < 0 {
							return 0, 0, fmt.Errorf("cswtest: numberOfRecordsMatched %q", a.Value)
						}
						matched = n
					case "nextRecord":
						if aerr == nil {
							next = n
						}
					}
				}
			case results != 0 && depth == results+1:
				returned++
			}
		case xml.EndElement:
			if depth == results {
				results = -1 // done
			}
			depth--
		}
	}
	if matched < 0 {
		return 0, 0, fmt.Errorf("%w: no csw:SearchResults/@numberOfRecordsMatched", ErrNotPage)
	}
	if returned == 0 {
		return 0, matched, fmt.Errorf("cswtest: a page without records has no position")
	}
	start = next - returned
	if next <= 0 || next > matched || start < 1 {
		start = matched - returned + 1
	}
	if start < 1 {
		return 0, matched, fmt.Errorf("cswtest: %d records in a page of a catalog of %d", returned, matched)
	}
	return start, matched, nil
}

// ReplayPages indexes recorded GetRecordsResponse pages by startPosition
// (PageStart), for Options.Replay. Every page must report the same
// numberOfRecordsMatched and start at a different position; hits answers
// need the page at position 1.
func ReplayPages(pages [][]byte) (map[int][]byte, error) {
	out := map[int][]byte{}
	matched := -1
	for i, p := range pages {
		start, m, err := PageStart(p)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		if matched >= 0 && m != matched {
			return nil, fmt.Errorf("page %d: numberOfRecordsMatched %d, other pages %d: not one result set", i+1, m, matched)
		}
		matched = m
		if _, dup := out[start]; dup {
			return nil, fmt.Errorf("page %d: a second page at startPosition %d", i+1, start)
		}
		out[start] = p
	}
	if _, ok := out[1]; !ok {
		return nil, errors.New("cswtest: no page at startPosition 1")
	}
	return out, nil
}
