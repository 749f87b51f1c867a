package dcat

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var outDir = flag.String("out", "", "keep the serializations written by TestSerializations in this directory")

// writeAll writes every corpus record's document, and the whole corpus as
// one feed page, in the four formats into dir. It returns the Turtle files
// of dataset and series documents.
func writeAll(t *testing.T, dir string) (datasets []string) {
	t.Helper()
	recs, frags := mapCorpus(t)
	catalog := catalogOf(frags)
	resolve := resolver(catalog)
	formats := []Format{Turtle, NTriples, RDFXML, JSONLD}
	for i, f := range frags {
		for _, ft := range formats {
			var buf bytes.Buffer
			if err := WriteDataset(&buf, ft, f, resolve); err != nil {
				t.Fatalf("%s %s: %v", recs[i].name, ft, err)
			}
			path := filepath.Join(dir, recs[i].name+ft.Ext())
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if ft == Turtle && (f.Kind() == "dataset" || f.Kind() == "series") {
				datasets = append(datasets, path)
			}
		}
	}
	ordered := OrderForPage(catalog)
	for _, ft := range formats {
		var buf bytes.Buffer
		p := &Page{Options: testOptions, Fragments: ordered, Total: len(ordered), Page: 1, PageSize: 500,
			BaseURL: testOptions.PublicURL + "/catalogs/corpus/catalog"} // same URLs in every format
		if err := WritePage(&buf, ft, p); err != nil {
			t.Fatalf("page %s: %v", ft, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "_catalog"+ft.Ext()), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return datasets
}

func tempOrOut(t *testing.T) string {
	if *outDir != "" {
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			t.Fatal(err)
		}
		return *outDir
	}
	return t.TempDir()
}

// TestSerializations checks every output with serdi (Turtle, N-Triples) and
// rdflib (all four, isomorphism), in one process each.
func TestSerializations(t *testing.T) {
	if testing.Short() {
		t.Skip("external validators skipped under -short")
	}
	serdi, err := exec.LookPath("serdi")
	if err != nil {
		t.Skip("serdi not installed")
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("/usr/bin/python3 not installed")
	}
	dir := tempOrOut(t)
	writeAll(t, dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	checked := 0
	for _, f := range files {
		var syntax string
		switch filepath.Ext(f) {
		case ".ttl":
			syntax = "turtle"
		case ".nt":
			syntax = "ntriples"
		default:
			continue
		}
		out, err := exec.Command(serdi, "-q", "-i", syntax, "-o", "ntriples", f).CombinedOutput()
		if err != nil {
			msg := string(out)
			if i := strings.Index(msg, "error"); i >= 0 {
				msg = msg[i:]
			}
			t.Errorf("serdi -i %s %s: %v: %.300s", syntax, filepath.Base(f), err, msg)
		}
		checked++
	}
	if checked < 140 {
		t.Errorf("serdi checked only %d files", checked)
	}
	out, err := exec.Command("/usr/bin/python3", filepath.Join("testdata", "isomorphic.py"), dir).CombinedOutput()
	if err != nil {
		t.Errorf("rdflib: %v\n%s", err, out)
	} else {
		t.Logf("rdflib: %s", lastLine(out))
	}
}

func lastLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

var shaclMin = flag.Float64("shacl-min", 0.95, "minimum share of SHACL-conformant dataset documents")

// TestSHACL runs ../shared/shacl/check (DCAT-AP 3.0.1 shapes) on every
// dataset and series document of the corpus.
func TestSHACL(t *testing.T) {
	if testing.Short() {
		t.Skip("SHACL check skipped under -short")
	}
	check := filepath.Join(sharedDir(t), "shacl", "check")
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	dir := tempOrOut(t)
	docs := writeAll(t, dir)
	out, _ := exec.Command(check, docs...).CombinedOutput()
	conform, failed := 0, []string{}
	for _, line := range strings.Split(string(out), "\n") {
		for _, d := range docs {
			if strings.HasPrefix(line, d) || strings.HasPrefix(line, filepath.Base(d)) {
				if strings.Contains(line, "conforms") {
					conform++
				} else {
					failed = append(failed, line)
				}
				break
			}
		}
	}
	share := float64(conform) / float64(len(docs))
	t.Logf("SHACL DCAT-AP 3.0.1: %d/%d dataset and series documents conform (%.1f %%)", conform, len(docs), 100*share)
	for _, f := range failed {
		t.Logf("  %s", f)
	}
	if share < *shaclMin {
		t.Errorf("%.1f %% conform, want ≥ %.0f %%\n%s", 100*share, 100**shaclMin, out)
	}
	if conform+len(failed) != len(docs) {
		t.Errorf("checker reported %d of %d documents:\n%s", conform+len(failed), len(docs), out)
	}
}

func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(filepath.Dir(filepath.Clean(fmt.Sprint(testenvCorpus(t)))))
}
