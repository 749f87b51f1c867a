package iso

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/passerelle/passerelle/internal/testenv"
)

// FuzzParse checks that Parse never panics, classifies every error, and
// that whatever it returns can be stored (JSON-encoded) and queried.
func FuzzParse(f *testing.F) {
	for _, name := range []string{
		"records/gnui__geoide.iso19139.dataset.xml",
		"records/semic__network-service.xml",
		"records/owslib__iso_mi.xml",
		"broken/owslib__iso_che.xml",
		"broken/ckanspatial__error_bad_xml.xml",
	} {
		if dir, ok := testenv.SharedDir(); ok {
			if raw, err := os.ReadFile(filepath.Join(dir, "corpus", name)); err == nil {
				f.Add(raw)
			}
		}
	}
	f.Add([]byte(md(`<gmd:fileIdentifier><gco:CharacterString>x</gco:CharacterString></gmd:fileIdentifier>`)))
	f.Add([]byte(`<!DOCTYPE a><a/>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Parse(raw)
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) || !(errors.Is(err, ErrMalformed) || errors.Is(err, ErrNotISO)) {
				t.Fatalf("unclassified error %T %v", err, err)
			}
			if r != nil {
				t.Fatal("record returned with an error")
			}
			_ = FileIdentifierOf(raw)
			return
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("record not encodable: %v", err)
		}
		_ = r.ResourceIdentifier()
		_ = r.ProducerNames()
		_ = r.Modified()
		_ = r.Type()
		_ = FileIdentifierOf(raw)
	})
}

// BenchmarkParseCorpus parses every ISO record of the corpus (records/,
// broken/ and the records cut out of csw/ envelopes) and reports the mean
// wall time, process CPU time and allocated bytes per record. Run it with
// -cpu 1 for the one-core figure.
func BenchmarkParseCorpus(b *testing.B) {
	var docs [][]byte
	var total int
	for _, d := range corpusDocs(b) {
		if _, err := Parse(d.raw); err != nil {
			continue // only records that parse: errors are cheap and would flatter the mean
		}
		docs = append(docs, d.raw)
		total += len(d.raw)
	}
	var ms0, ms1 runtime.MemStats
	b.ReportAllocs()
	b.SetBytes(int64(total))
	b.ResetTimer()
	runtime.ReadMemStats(&ms0)
	cpu0, cpuOK := processCPU()
	for b.Loop() {
		for _, d := range docs {
			if _, err := Parse(d); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu1, _ := processCPU()
	runtime.ReadMemStats(&ms1)
	b.StopTimer()
	n := float64(b.N) * float64(len(docs))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
	if cpuOK {
		// Process CPU (all threads, GC included): robust to a loaded machine,
		// where wall time per record is inflated.
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/n, "cpu-ns/record")
	}
	b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/n, "B/record")
	b.ReportMetric(float64(total)/float64(len(docs)), "input-B/record")
	b.ReportMetric(float64(len(docs)), "records")
}
