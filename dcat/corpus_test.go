package dcat

import (
	"bytes"
	"flag"
	"fmt"
	"github.com/passerelle/passerelle/csw"
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

// splitCSW returns the records of a CSW response, cut out by the harvester's
// own splitter; documents that are not record envelopes (capabilities,
// exception reports) give none.
func splitCSW(t testing.TB, raw []byte) [][]byte {
	t.Helper()
	var parts [][]byte
	if _, err := csw.SplitRecords(bytes.NewReader(raw), func(rec []byte) error {
		parts = append(parts, rec)
		return nil
	}); err != nil {
		return nil
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
