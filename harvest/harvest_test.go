package harvest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/cache"
	"github.com/passerelle/passerelle/config"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
)

// isoRecord writes a small valid ISO 19139 record.
func isoRecord(id, title, dateStamp, org string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>%s</gco:CharacterString></gmd:fileIdentifier>
  <gmd:hierarchyLevel><gmd:MD_ScopeCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#MD_ScopeCode" codeListValue="dataset"/></gmd:hierarchyLevel>
  <gmd:contact><gmd:CI_ResponsibleParty>
    <gmd:organisationName><gco:CharacterString>%s</gco:CharacterString></gmd:organisationName>
    <gmd:role><gmd:CI_RoleCode codeList="http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#CI_RoleCode" codeListValue="pointOfContact"/></gmd:role>
  </gmd:CI_ResponsibleParty></gmd:contact>
  <gmd:dateStamp><gco:DateTime>%s</gco:DateTime></gmd:dateStamp>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>%s</gco:CharacterString></gmd:title></gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Résumé de %s</gco:CharacterString></gmd:abstract>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>
`, id, org, dateStamp, title, title)
}

// fixture is a store, a configuration with one catalog and a harvester;
// the dir and CSW variants differ only in where the catalog's records come
// from.
type fixture struct {
	t       testing.TB
	catalog string
	dir     string     // the dir catalog's folder (dir fixtures)
	up      *swappable // the upstream behind the catalog's URL (CSW fixtures)
	cfg     *config.Config
	store   cache.Store
	h       *Harvester
}

// open writes catalogs.toml into root, loads it and opens a bolt store
// beside it.
func open(t testing.TB, root, toml, catalog string) *fixture {
	t.Helper()
	path := filepath.Join(root, "catalogs.toml")
	require.NoError(t, os.WriteFile(path, []byte(toml), 0o644))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	st, err := cache.OpenBolt(filepath.Join(root, "data"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return &fixture{t: t, catalog: catalog, cfg: cfg, store: st, h: &Harvester{Store: st}}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "records")
	require.NoError(t, os.Mkdir(dir, 0o755))
	f := open(t, root, `[server]
public_url = "http://127.0.0.1:8080"

[[catalog]]
id = "test"
title = "Test"
dir = "records"

[producers]
aliases = { "DDTM 35" = "DDTM d'Ille-et-Vilaine" }
ignore = ["-- Nom de l'organisation responsable --"]
`, "test")
	f.dir = dir
	return f
}

func (f *fixture) write(name, content string) {
	f.t.Helper()
	require.NoError(f.t, os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644))
}

func (f *fixture) remove(name string) {
	f.t.Helper()
	require.NoError(f.t, os.Remove(filepath.Join(f.dir, name)))
}

func (f *fixture) run(opt Options) *Report {
	f.t.Helper()
	rep, err := f.h.Run(context.Background(), f.cfg, f.cfg.Catalog(f.catalog), opt)
	require.NoError(f.t, err)
	return rep
}

func (f *fixture) snapshot() *cache.Snapshot {
	f.t.Helper()
	snap, err := f.store.Snapshot(context.Background(), f.catalog)
	require.NoError(f.t, err)
	return snap
}

func ids(snap *cache.Snapshot) []string {
	var out []string
	for _, e := range snap.Entries {
		out = append(out, e.ID)
	}
	return out
}

func TestIncrementalHarvest(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		f.write(fmt.Sprintf("r%02d.xml", i), isoRecord(fmt.Sprintf("id-%02d", i), fmt.Sprintf("Jeu %d", i), "2024-01-01T00:00:00", "DDTM 35"))
	}
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 10, rep.Matched)
	assert.Equal(t, 10, rep.Fetched)
	assert.Equal(t, 10, rep.Parsed)
	assert.Equal(t, 10, rep.Added)
	assert.Equal(t, int64(1), rep.Generation)
	first := f.snapshot()
	require.Len(t, first.Entries, 10)
	assert.Equal(t, []string{"ddtm-d-ille-et-vilaine"}, first.Entries[0].Producers)
	assert.Equal(t, "DDTM d'Ille-et-Vilaine", first.Producers["ddtm-d-ille-et-vilaine"])

	// Second run: nothing changed, nothing parsed.
	rep = f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 10, rep.Unchanged)
	assert.Equal(t, 0, rep.Parsed, "unchanged records are not re-parsed")
	assert.Zero(t, rep.Added+rep.Updated+rep.Removed)

	// One changed, one removed, one added.
	f.write("r03.xml", isoRecord("id-03", "Jeu 3 modifié", "2024-02-01T00:00:00", "DDTM 35"))
	f.remove("r04.xml")
	f.write("r10.xml", isoRecord("id-10", "Jeu 10", "2024-01-01T00:00:00", "Rennes Métropole"))
	rep = f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 1, rep.Updated)
	assert.Equal(t, 1, rep.Added)
	assert.Equal(t, 1, rep.Removed)
	assert.Equal(t, 8, rep.Unchanged)
	assert.Equal(t, 2, rep.Parsed)
	snap := f.snapshot()
	assert.Equal(t, int64(3), snap.Generation)
	assert.NotContains(t, ids(snap), "id-04")
	assert.Contains(t, ids(snap), "id-10")
	// FirstStored of an unchanged record is the first run's.
	assert.True(t, snap.Entries[0].FirstStored.Equal(first.Entries[0].FirstStored))
	// Records of the snapshot are readable with their parsed model.
	hashes := make([]string, len(snap.Entries))
	for i, e := range snap.Entries {
		hashes[i] = e.Hash
	}
	recs, err := f.store.Records(context.Background(), "test", hashes)
	require.NoError(t, err)
	for _, r := range recs {
		assert.NotEmpty(t, r.Parsed)
		assert.NotEmpty(t, r.Raw)
	}
}

// Records stored with another parser model (iso.ModelVersion) are parsed
// again once, unchanged bytes included, so what is served reads the
// current model; the run after that parses nothing.
func TestOlderModelParsedAgain(t *testing.T) {
	f := newFixture(t)
	for i := range 4 {
		f.write(fmt.Sprintf("r%02d.xml", i), isoRecord(fmt.Sprintf("id-%02d", i), fmt.Sprintf("Jeu %d", i), "2024-01-01T00:00:00", "DDTM 35"))
	}
	rep := f.run(Options{})
	require.Equal(t, 4, rep.Parsed)
	snap := f.snapshot()
	assert.Equal(t, iso.ModelVersion, snap.Model)

	// The same snapshot as an older version would have written it.
	old := *snap
	old.Generation++
	old.Model = iso.ModelVersion - 1
	require.NoError(t, f.store.Commit(context.Background(), &old))

	reads := &recordsCounter{Store: f.store}
	rep, err := (&Harvester{Store: reads}).Run(context.Background(), f.cfg, f.cfg.Catalog(f.catalog), Options{})
	require.NoError(t, err)
	assert.Zero(t, reads.n, "no stored record is read back: the snapshot gave their FirstStored")
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 4, rep.Parsed, "records of an older model are parsed again")
	assert.Equal(t, 4, rep.Unchanged, "same bytes: unchanged for the report")
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "parsed again")
	snap = f.snapshot()
	assert.Equal(t, iso.ModelVersion, snap.Model)
	assert.True(t, snap.Entries[0].FirstStored.Equal(old.Entries[0].FirstStored), "FirstStored survives the new parse")

	rep = f.run(Options{})
	assert.Equal(t, 0, rep.Parsed)
}

// recordsCounter counts the records a harvest reads back from the store.
type recordsCounter struct {
	cache.Store
	n int
}

func (s *recordsCounter) Records(ctx context.Context, catalog string, hashes []string) ([]cache.StoredRecord, error) {
	s.n += len(hashes)
	return s.Store.Records(ctx, catalog, hashes)
}

func TestParseFailureKeepsPreviousVersion(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	f.write("b.xml", isoRecord("b", "B", "2024-01-01", "Org"))
	require.Equal(t, StatusOK, f.run(Options{}).Status)
	before := f.snapshot()

	// b becomes not well-formed: it fails, keeps its previous version and counts as present.
	f.write("b.xml", strings.Replace(isoRecord("b", "B2", "2024-01-02", "Org"), "</gmd:MD_Metadata>", "", 1))
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 1, rep.Failed)
	assert.Equal(t, 0, rep.Removed)
	require.NotEmpty(t, rep.Errors)
	assert.Equal(t, "b", rep.Errors[0].RecordID)
	assert.Contains(t, rep.Errors[0].Reason, "previous version kept")
	after := f.snapshot()
	assert.Equal(t, before.Entries, after.Entries)
}

func TestNonISOAndBrokenRecordsAreReported(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	f.write("mdb.xml", `<mdb:MD_Metadata xmlns:mdb="http://standards.iso.org/iso/19115/-3/mdb/2.0"/>`)
	f.write("bomb.xml", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd">&lol2;</gmd:MD_Metadata>`)
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 3, rep.Fetched)
	assert.Equal(t, 2, rep.Failed)
	assert.Equal(t, 1, rep.Records)
	assert.Len(t, rep.Errors, 2)
}

func TestDuplicateFileIdentifiers(t *testing.T) {
	f := newFixture(t)
	f.write("1.xml", isoRecord("same", "Old", "2023-01-01T00:00:00", "Org"))
	f.write("2.xml", isoRecord("same", "New", "2024-01-01T00:00:00", "Org"))
	f.write("3.xml", isoRecord("other", "Other", "2024-01-01T00:00:00", "Org"))
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 1, rep.Duplicates)
	snap := f.snapshot()
	require.Len(t, snap.Entries, 2)
	assert.Equal(t, "New", snap.Entries[1].Title, "the latest dateStamp wins")
	require.NotEmpty(t, rep.Errors)
	assert.Contains(t, rep.Errors[0].Reason, "duplicate fileIdentifier")
}

func TestDropGuard(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		f.write(fmt.Sprintf("r%d.xml", i), isoRecord(fmt.Sprintf("id-%d", i), "T", "2024-01-01", "Org"))
	}
	require.Equal(t, StatusOK, f.run(Options{}).Status)
	for i := range 6 {
		f.remove(fmt.Sprintf("r%d.xml", i))
	}
	rep := f.run(Options{})
	assert.Equal(t, StatusFailed, rep.Status)
	assert.True(t, rep.Kept)
	assert.Contains(t, rep.Errors[len(rep.Errors)-1].Reason, "--accept-drop")
	assert.Len(t, f.snapshot().Entries, 10, "previous snapshot kept")

	rep = f.run(Options{AcceptDrop: true})
	assert.Equal(t, StatusOK, rep.Status)
	assert.Equal(t, 6, rep.Removed)
	assert.Len(t, f.snapshot().Entries, 4)
}

func TestIdentifierConflictsAndFirstValueKept(t *testing.T) {
	f := newFixture(t)
	withIdent := func(id, code string) string {
		return strings.Replace(isoRecord(id, id, "2024-01-01", "Org"),
			"<gmd:CI_Citation>",
			"<gmd:CI_Citation><gmd:identifier><gmd:MD_Identifier><gmd:code><gco:CharacterString>"+code+"</gco:CharacterString></gmd:code></gmd:MD_Identifier></gmd:identifier>", 1)
	}
	f.write("a.xml", withIdent("a", "https://example.org/ds/1"))
	rep := f.run(Options{})
	require.Equal(t, StatusOK, rep.Status)
	f.write("b.xml", withIdent("b", "https://example.org/ds/1"))
	// a's identifier changes upstream: the first value served is kept.
	f.write("a.xml", withIdent("a", "https://example.org/ds/renamed"))
	rep = f.run(Options{})
	require.Equal(t, StatusOK, rep.Status)
	snap := f.snapshot()
	require.Len(t, snap.Entries, 2)
	assert.Equal(t, "https://example.org/ds/1", snap.Entries[0].Identifier)
	assert.Empty(t, snap.Entries[0].Conflict)
	assert.Equal(t, "a", snap.Entries[1].Conflict)
}

func TestMissingFolderFails(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	require.Equal(t, StatusOK, f.run(Options{}).Status)
	require.NoError(t, os.RemoveAll(f.dir))
	rep := f.run(Options{})
	assert.Equal(t, StatusFailed, rep.Status)
	assert.True(t, rep.Kept)
	assert.Len(t, f.snapshot().Entries, 1)
	reports, err := f.store.Reports(context.Background(), "test")
	require.NoError(t, err)
	assert.Len(t, reports, 2)
}

// TestCorpusCatalog harvests every record of the shared corpus (records and
// the records inside the CSW responses) as a dir catalog, twice.
func TestCorpusCatalog(t *testing.T) {
	f := newFixture(t)
	n := linkCorpus(t, f.dir)
	rep := f.run(Options{})
	assert.Equal(t, StatusOK, rep.Status)
	assert.GreaterOrEqual(t, rep.Fetched, n)
	// The corpus repeats records (a record file and the same record inside a
	// CSW response; SEMIC's test cases share one fileIdentifier).
	assert.Equal(t, rep.Fetched, rep.Records+rep.Duplicates+rep.Failed)
	assert.Greater(t, rep.Records, 50)
	t.Logf("corpus: matched %d, parsed %d, failed %d, duplicates %d, records %d", rep.Matched, rep.Parsed, rep.Failed, rep.Duplicates, rep.Records)
	for _, p := range rep.Errors {
		t.Logf("  %s: %s", p.RecordID, p.Reason)
	}
	start := time.Now()
	rep2 := f.run(Options{})
	assert.Equal(t, rep.Records, rep2.Unchanged)
	assert.Zero(t, rep2.Parsed)
	t.Logf("second run: %s", time.Since(start))
}

// linkCorpus links the corpus records and CSW responses into dir.
func linkCorpus(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	for _, sub := range []string{"records", "csw"} {
		files, err := filepath.Glob(filepath.Join(testenv.Corpus(t, sub), "*.xml"))
		require.NoError(t, err)
		for _, file := range files {
			base := filepath.Base(file)
			if sub == "csw" && !strings.Contains(base, "GetRecord") && !strings.Contains(base, "getrecord") && !strings.Contains(base, "iso19139") && !strings.Contains(base, "multilingual") {
				continue // capabilities and exception reports are not records
			}
			require.NoError(t, os.Symlink(file, filepath.Join(dir, sub+"__"+base)))
			n++
		}
	}
	return n
}

func TestConcurrentHarvestOfOneCatalogIsRefused(t *testing.T) {
	f := newFixture(t)
	f.write("a.xml", isoRecord("a", "A", "2024-01-01", "Org"))
	require.Equal(t, StatusOK, f.run(Options{}).Status)
	lease, ok, err := f.store.Lease(context.Background(), "harvest:test", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	rep := f.run(Options{})
	assert.Equal(t, StatusFailed, rep.Status)
	assert.True(t, rep.Kept)
	assert.Contains(t, rep.Errors[0].Reason, "another harvest")
	require.NoError(t, lease.Release(context.Background()))
	assert.Equal(t, StatusOK, f.run(Options{}).Status, "free again")
}

// TestReturningContentKeepsFirstStored: a record that left and came back
// with the same bytes, while still stored, keeps the time its content was
// first stored (modified_since compares with it).
func TestReturningContentKeepsFirstStored(t *testing.T) {
	f := newFixture(t)
	a := isoRecord("a", "A", "2024-01-01", "Org")
	f.write("a.xml", a)
	f.write("b.xml", isoRecord("b", "B", "2024-01-01", "Org"))
	require.Equal(t, StatusOK, f.run(Options{}).Status)
	first := f.snapshot().Entries[0]
	require.Equal(t, "a", first.ID)

	f.remove("a.xml")
	require.Equal(t, 1, f.run(Options{}).Removed)
	f.write("a.xml", a)
	rep := f.run(Options{})
	require.Equal(t, 1, rep.Added)
	back := f.snapshot().Entries[0]
	assert.Equal(t, first.Hash, back.Hash)
	assert.True(t, first.FirstStored.Equal(back.FirstStored), "first stored %s, now %s", first.FirstStored, back.FirstStored)
}
