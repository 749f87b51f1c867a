package dcat

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"github.com/passerelle/passerelle/internal/testenv"
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
		testenv.MissingTool(t, "serdi")
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.MissingTool(t, "/usr/bin/python3")
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

// TestSHACL runs ../shared/shacl/check on every dataset and series document
// of the corpus against each shape set — the default DCAT-AP 3.0.1 shapes,
// the EU validator's Base Zero shapes, the DCAT-AP 3.0.1 ranges and
// GeoDCAT-AP 2.0.0 — and gates every set (≥ 95 % conform). The checker's
// exit status must agree with its per-file lines: 0 when every document
// conforms, 1 when some violate; anything else (usage error, crash, npm
// install failure) fails the test.
func TestSHACL(t *testing.T) {
	if testing.Short() {
		t.Skip("SHACL check skipped under -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		testenv.MissingTool(t, "node")
	}
	shared := sharedDir(t)
	check := filepath.Join(shared, "shacl", "check")
	dir := tempOrOut(t)
	docs := writeAll(t, dir)
	for _, set := range []struct{ name, shapes string }{
		{"DCAT-AP 3.0.1", ""},
		{"Base Zero", "dcat-ap_3.0.1_html_shapes.ttl"},
		{"DCAT-AP 3.0.1 ranges", "dcat-ap_3.0.1_ranges.ttl"},
		{"GeoDCAT-AP 2.0.0", "geodcat-ap_2.0.0_geodcat-ap.shacl.ttl"},
	} {
		args := docs
		if set.shapes != "" {
			args = append([]string{"--shapes", filepath.Join(shared, "shacl", "shapes", set.shapes)}, docs...)
		}
		out, runErr := exec.Command(check, args...).CombinedOutput()
		status := 0
		if runErr != nil {
			var exit *exec.ExitError
			if !errors.As(runErr, &exit) {
				t.Fatalf("%s: running %s: %v", set.name, check, runErr)
			}
			status = exit.ExitCode()
		}
		conform, failed := 0, []string{}
		for _, line := range strings.Split(string(out), "\n") {
			for _, d := range docs {
				if strings.HasPrefix(line, d+" ") || strings.HasPrefix(line, filepath.Base(d)+" ") {
					if strings.Contains(line, " conforms ") {
						conform++
					} else {
						failed = append(failed, line)
					}
					break
				}
			}
		}
		share := float64(conform) / float64(len(docs))
		t.Logf("SHACL %s: %d/%d dataset and series documents conform (%.1f %%)", set.name, conform, len(docs), 100*share)
		for _, f := range failed {
			t.Logf("  %s", f)
		}
		if conform+len(failed) != len(docs) {
			t.Errorf("%s: checker reported %d of %d documents:\n%s", set.name, conform+len(failed), len(docs), out)
		}
		if want := map[bool]int{true: 0, false: 1}[len(failed) == 0]; status != want {
			t.Errorf("%s: checker exited %d, want %d (%d documents violate):\n%s", set.name, status, want, len(failed), out)
		}
		if share < *shaclMin {
			t.Errorf("%s: %.1f %% conform, want ≥ %.0f %%\n%s", set.name, 100*share, 100**shaclMin, out)
		}
	}
}

func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(filepath.Dir(filepath.Clean(fmt.Sprint(testenvCorpus(t)))))
}
