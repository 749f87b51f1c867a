package facade

import (
	"context"
	"net/url"
	"runtime"
	"strconv"
	"syscall"
	"testing"
)

// benchEntries replicates the corpus records into a view of n entries
// with distinct identifiers, sorted by ID.
func benchEntries(b *testing.B, n int) []*Entry {
	base := corpusEntries(b)
	out := make([]*Entry, 0, n)
	for i := 0; len(out) < n; i++ {
		src := base[i%len(base)]
		e := &Entry{ID: "bench-" + strconv.Itoa(100000+i) + "-" + src.ID, Raw: src.Raw, Record: src.Record,
			Organisations: src.Organisations, Modified: src.Modified, Type: src.Type}
		e.Identifier = e.ID
		out = append(out, e)
	}
	return out
}

func benchServe(b *testing.B, entries []*Entry, req *Request) {
	f := &Facade{}
	status, _, body := f.Serve(context.Background(), testEndpoint, req, entries) // builds the per-entry indexes
	if status != 200 {
		b.Fatalf("status %d: %s", status, body)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	before := cpuTime()
	n := 0
	for b.Loop() {
		f.Serve(context.Background(), testEndpoint, req, entries)
		n++
	}
	// Wall time is unreliable on a shared machine; report the process CPU
	// time (all threads, GC included) per operation as well.
	b.ReportMetric(float64(cpuTime()-before)/float64(n), "cpu-ns/op")
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkGetRecords50Full serves udata's request (Or filter on type, sort
// by identifier) for a page of 50 full ISO records out of a 2,000-record view.
func BenchmarkGetRecords50Full(b *testing.B) {
	entries := benchEntries(b, 2000)
	req, err := ParseXML([]byte(udataISO))
	if err != nil {
		b.Fatal(err)
	}
	req.MaxRecords = 50
	req.StartPosition = 101
	benchServe(b, entries, req)
}

// BenchmarkGetRecords50FullView50 is the same request over a view of just
// those 50 records: the fixed cost of a request plus copying.
func BenchmarkGetRecords50FullView50(b *testing.B) {
	entries := benchEntries(b, 50)
	req, err := ParseXML([]byte(udataISO))
	if err != nil {
		b.Fatal(err)
	}
	req.MaxRecords = 50
	benchServe(b, entries, req)
}

// BenchmarkGetRecords50FullNoFilter is the same page without constraint.
func BenchmarkGetRecords50FullNoFilter(b *testing.B) {
	entries := benchEntries(b, 2000)
	req, err := ParseKVP(url.Values{"service": {"CSW"}, "request": {"GetRecords"}, "resultType": {"results"}, "typeNames": {"gmd:MD_Metadata"},
		"outputSchema": {SchemaISO}, "elementSetName": {"full"}, "maxRecords": {"50"}, "startPosition": {"101"}})
	if err != nil {
		b.Fatal(err)
	}
	benchServe(b, entries, req)
}

// BenchmarkGetRecords50SummaryDC builds 50 Dublin Core summary records from
// the model, filtered with AnyText LIKE over 2,000 entries.
func BenchmarkGetRecords50SummaryDC(b *testing.B) {
	entries := benchEntries(b, 2000)
	req, err := ParseKVP(url.Values{"service": {"CSW"}, "request": {"GetRecords"}, "resultType": {"results"}, "typeNames": {"csw:Record"},
		"elementSetName": {"summary"}, "maxRecords": {"50"}, "constraintLanguage": {"CQL_TEXT"}, "constraint": {"csw:AnyText LIKE '%data%'"}})
	if err != nil {
		b.Fatal(err)
	}
	benchServe(b, entries, req)
}

// BenchmarkGetRecords50SummaryISO builds 50 ISO summary records from the model.
func BenchmarkGetRecords50SummaryISO(b *testing.B) {
	entries := benchEntries(b, 2000)
	req, err := ParseKVP(url.Values{"service": {"CSW"}, "request": {"GetRecords"}, "resultType": {"results"}, "typeNames": {"gmd:MD_Metadata"},
		"outputSchema": {SchemaISO}, "elementSetName": {"summary"}, "maxRecords": {"50"}})
	if err != nil {
		b.Fatal(err)
	}
	benchServe(b, entries, req)
}

func BenchmarkParseXMLUdata(b *testing.B) {
	body := []byte(udataISO)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseXML(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseKVPGeogw(b *testing.B) {
	q, err := url.ParseQuery("service=CSW&version=2.0.2&request=GetRecords&resultType=results&elementSetName=full&maxRecords=20&startPosition=4421&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseKVP(q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildIndex builds the search index (every queryable's values,
// AnyText, repaired boxes) of the corpus records: B/op over the corpus is
// what the index costs in memory per record set.
func BenchmarkBuildIndex(b *testing.B) {
	base := corpusEntries(b)
	// What the indexes keep: the heap after building and keeping them all,
	// minus the heap before, per record.
	var before, after runtime.MemStats
	keep := make([]*index, len(base))
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i, e := range base {
		keep[i] = buildIndex(e, e.Record)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	retained := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(base))
	runtime.KeepAlive(keep)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, e := range base {
			buildIndex(e, e.Record)
		}
	}
	b.ReportMetric(float64(len(base)), "records")
	b.ReportMetric(retained, "retained-B/record")
}
