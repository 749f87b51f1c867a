package dcat

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testOptions are the options of the corpus catalog.
var testOptions = Options{
	PublicURL: "https://passerelle.example.org",
	Catalog:   CatalogInfo{ID: "corpus", Title: "Corpus", Description: "The shared test corpus.", Publisher: "Passerelle test catalog"},
	Now:       func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) },
}

type corpusRecord struct {
	name string
	rec  *iso.Record
}

// loadCorpus parses every ISO record of corpus/records and every record in
// the envelopes of corpus/csw (non-ISO documents are skipped).
func loadCorpus(t testing.TB) []corpusRecord {
	t.Helper()
	var out []corpusRecord
	for _, dir := range []string{"records", "csw"} {
		files, err := filepath.Glob(testenv.Corpus(t, dir, "*.xml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("corpus/%s: no files (%v)", dir, err)
		}
		sort.Strings(files)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(filepath.Base(f), ".xml")
			parts := [][]byte{raw}
			if dir == "csw" {
				parts = splitCSW(t, raw)
			}
			for i, p := range parts {
				rec, err := iso.Parse(p)
				if err != nil {
					continue
				}
				name := base
				if dir == "csw" {
					name = fmt.Sprintf("%s-%d", base, i+1)
				}
				out = append(out, corpusRecord{name: name, rec: rec})
			}
		}
	}
	return out
}

// splitCSW cuts the children of csw:SearchResults (or of a
// GetRecordByIdResponse root) out of an envelope, carrying the namespace
// declarations in scope onto each child. Test support only.
func splitCSW(t testing.TB, raw []byte) [][]byte {
	t.Helper()
	const cswNS = "http://www.opengis.net/cat/csw/2.0.2"
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	type frame struct {
		decls     []xml.Attr
		container bool
	}
	var stack []frame
	var parts [][]byte
	var start int64
	lookup := func(prefix string) string {
		for i := len(stack) - 1; i >= 0; i-- {
			for _, a := range stack[i].decls {
				if (prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") || (a.Name.Space == "xmlns" && a.Name.Local == prefix) {
					return a.Value
				}
			}
		}
		return ""
	}
	for {
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			var fr frame
			for _, a := range e.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					fr.decls = append(fr.decls, a)
				}
			}
			if n := len(stack); n > 0 && stack[n-1].container {
				start = off
			}
			depth := len(stack)
			stack = append(stack, fr)
			if lookup(e.Name.Space) == cswNS && (e.Name.Local == "SearchResults" || (depth == 0 && e.Name.Local == "GetRecordByIdResponse")) {
				stack[depth].container = true
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 && stack[n-1].container {
				child := raw[start:d.InputOffset()]
				var extra strings.Builder
				tagEnd := bytes.IndexByte(child, '>')
				own := string(child[:tagEnd])
				seen := map[string]bool{}
				for i := len(stack) - 1; i >= 0; i-- {
					for _, a := range stack[i].decls {
						name := "xmlns"
						if a.Name.Space == "xmlns" {
							name += ":" + a.Name.Local
						}
						if seen[name] || strings.Contains(own, name+"=") {
							continue
						}
						seen[name] = true
						fmt.Fprintf(&extra, " %s=%q", name, a.Value)
					}
				}
				nameEnd := bytes.IndexAny(child, " \t\r\n/>")
				p := append([]byte{}, child[:nameEnd]...)
				p = append(p, extra.String()...)
				parts = append(parts, append(p, child[nameEnd:]...))
			}
		}
	}
	if len(parts) == 0 {
		return [][]byte{raw}
	}
	return parts
}

// mapCorpus maps every corpus record (all of them, duplicates included).
func mapCorpus(t testing.TB) ([]corpusRecord, []*Fragment) {
	recs := loadCorpus(t)
	var keep []corpusRecord
	var frags []*Fragment
	for _, cr := range recs {
		fid := strings.TrimSpace(cr.rec.FileIdentifier)
		f, err := Map(Input{Record: cr.rec, FirstStored: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), RecordURL: "https://csw.example.org/csw?service=CSW&request=GetRecordById&id=" + urlQueryEscape(fid)}, testOptions)
		if err != nil {
			t.Errorf("%s: %v", cr.name, err)
			continue
		}
		keep = append(keep, cr)
		frags = append(frags, f)
	}
	return keep, frags
}

// catalogOf keeps the first fragment of each fileIdentifier and of each
// served identifier, as the harvester does for one catalog (the others are
// reported there as conflicts).
func catalogOf(frags []*Fragment) []*Fragment {
	var out []*Fragment
	seenFile, seenID := map[string]bool{}, map[string]bool{}
	for _, f := range frags {
		if seenFile[f.FileIdentifier()] || seenID[f.Identifier()] {
			continue
		}
		seenFile[f.FileIdentifier()], seenID[f.Identifier()] = true, true
		out = append(out, f)
	}
	return out
}

func resolver(frags []*Fragment) func(string) *Fragment {
	idx := map[string]*Fragment{}
	for _, f := range frags {
		if _, ok := idx[f.FileIdentifier()]; !ok {
			idx[f.FileIdentifier()] = f
		}
	}
	for _, f := range frags {
		if _, ok := idx[f.Identifier()]; !ok {
			idx[f.Identifier()] = f
		}
	}
	return func(id string) *Fragment { return idx[id] }
}

func TestGoldenTurtle(t *testing.T) {
	recs, frags := mapCorpus(t)
	if len(frags) < 70 {
		t.Fatalf("only %d corpus records mapped", len(frags))
	}
	resolve := resolver(catalogOf(frags))
	for i, f := range frags {
		name := recs[i].name
		var buf bytes.Buffer
		if err := WriteDataset(&buf, Turtle, f, resolve); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		golden := filepath.Join("testdata", "golden", name+".ttl")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", name, err)
			continue
		}
		if !bytes.Equal(want, buf.Bytes()) {
			t.Errorf("%s: Turtle differs from %s (run go test -update and review the diff)", name, golden)
		}
	}
}
