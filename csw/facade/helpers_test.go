package facade

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
	"github.com/stretchr/testify/require"
)

// update is the -update flag: rewrite golden files. It is registered
// only if another test file of the package has not already done so.
var update = func() *bool {
	if flag.Lookup("update") != nil {
		return new(bool) // read through flagSet
	}
	return flag.Bool("update", false, "rewrite golden files under testdata/")
}()

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update || flagSet("update") {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./csw -run %s -update", t.Name())
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n--- got ---\n%s\n--- want ---\n%s", path, head(got), head(want))
	}
}

func flagSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() == "true"
}

func head(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}

// entryFrom builds an Entry the way the proxy does: identifier, producer
// names (display and slug), change date and hierarchy level.
func entryFrom(raw []byte, r *iso.Record) *Entry {
	var orgs []string
	for _, n := range r.ProducerNames() {
		orgs = append(orgs, n, iso.Slug(n))
	}
	typ := r.HierarchyLevel
	if typ == "" {
		typ = "dataset"
	}
	return &Entry{ID: r.FileIdentifier, Identifier: r.FileIdentifier, Raw: raw, Record: r, Organisations: orgs, Modified: r.DateStamp, Type: typ}
}

// loadEntries parses every *.xml of dir with iso.Parse, keeps the first
// record of each identifier and sorts by ID, as a snapshot view is.
func loadEntries(t testing.TB, dir string) []*Entry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no records in %s", dir)
	sort.Strings(files)
	seen := map[string]bool{}
	var out []*Entry
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		r, err := iso.Parse(raw)
		if err != nil || r.FileIdentifier == "" || seen[r.FileIdentifier] {
			continue
		}
		seen[r.FileIdentifier] = true
		out = append(out, entryFrom(raw, r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func fixtureEntries(t testing.TB) []*Entry {
	return loadEntries(t, filepath.Join("testdata", "records"))
}

func corpusEntries(t testing.TB) []*Entry {
	return loadEntries(t, testenv.Corpus(t, "records"))
}

// xmllint validates doc against an XSD of the shared schemas with
// xmllint --nonet; it skips when xmllint is missing.
func xmllint(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	xmllintAll(t, xsd, [][]byte{doc})
}

// xmllintAll validates several documents in one xmllint run. Under
// -short (make test-short runs no external tool) it validates nothing and
// says so; the rest of the calling test still runs.
func xmllintAll(t *testing.T, xsd string, docs [][]byte) {
	t.Helper()
	if testing.Short() {
		t.Logf("xmllint validation against %s skipped under -short", xsd)
		return
	}
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		testenv.MissingTool(t, "xmllint")
	}
	msg, err := xmllintRun(bin, testenv.Shared(t), t.TempDir(), xsd, docs)
	if err != nil {
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		t.Errorf("xmllint %s: %v\n%s\n--- first document ---\n%s", xsd, err, msg, head(docs[0]))
	}
}

// xmllintRun runs xmllint --nonet on docs written to dir.
func xmllintRun(bin, shared, dir, xsd string, docs [][]byte) (string, error) {
	schema := filepath.Join(shared, "xsd", xsd)
	if xsd == xsdiso {
		// srv.xsd does not compile alone with libxml2: import gmd first.
		base := filepath.Join(shared, "xsd", "iso19139", "20060504")
		wrapper := `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-passerelle:test">` +
			`<xs:import namespace="http://www.isotc211.org/2005/gmd" schemaLocation="` + filepath.Join(base, "gmd", "gmd.xsd") + `"/>` +
			`<xs:import namespace="http://www.isotc211.org/2005/srv" schemaLocation="` + filepath.Join(base, "srv", "srv.xsd") + `"/></xs:schema>`
		schema = filepath.Join(dir, "iso.xsd")
		if err := os.WriteFile(schema, []byte(wrapper), 0o644); err != nil {
			return "", err
		}
	}
	args := []string{"--noout", "--nonet", "--schema", schema}
	for i, doc := range docs {
		tmp := filepath.Join(dir, "doc"+strconv.Itoa(i)+".xml")
		if err := os.WriteFile(tmp, doc, 0o644); err != nil {
			return "", err
		}
		args = append(args, tmp)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
