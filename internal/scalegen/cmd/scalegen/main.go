// Command scalegen writes N real-size ISO 19139 records made from the shared
// corpus into a folder, as CSW GetRecordsResponse files of -per records
// (what `passerelle harvest` reads from a dir catalog and `cswserve -dir`
// serves). Test support for scripts/bench-scale.sh.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/passerelle/passerelle/internal/scalegen"
	"github.com/passerelle/passerelle/iso"
)

func main() {
	n := flag.Int("n", 5000, "records to write")
	per := flag.Int("per", 100, "records per file")
	corpus := flag.String("corpus", "", "the shared corpus folder (default $PASSERELLE_SHARED/corpus)")
	out := flag.String("out", "", "output folder (created)")
	flag.Parse()
	if *corpus == "" {
		*corpus = filepath.Join(os.Getenv("PASSERELLE_SHARED"), "corpus")
	}
	if *out == "" || *n <= 0 || *per <= 0 {
		fmt.Fprintln(os.Stderr, "usage: scalegen -n N -out DIR [-per 100] [-corpus DIR]")
		os.Exit(2)
	}
	if err := run(*corpus, *out, *n, *per); err != nil {
		fmt.Fprintln(os.Stderr, "scalegen:", err)
		os.Exit(1)
	}
}

func run(corpus, out string, n, per int) error {
	g, err := scalegen.New(corpus)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	// ids.txt: the path-escaped fileIdentifier of each record, one a line,
	// for scripts asking for single records.
	idf, err := os.Create(filepath.Join(out, "ids.txt"))
	if err != nil {
		return fmt.Errorf("create ids.txt: %w", err)
	}
	defer idf.Close()
	ids := bufio.NewWriter(idf)
	var total int64
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		path := filepath.Join(out, fmt.Sprintf("page-%08d.xml", start/per))
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("create page: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" version="2.0.2"><csw:SearchStatus timestamp="2026-01-01T00:00:00Z"/><csw:SearchResults numberOfRecordsMatched="%d" numberOfRecordsReturned="%d" nextRecord="%d" elementSet="full" recordSchema="http://www.isotc211.org/2005/gmd">
`, n, end-start, nextRecord(end, n))
		for i := start; i < end; i++ {
			rec := g.Record(i)
			if j := bytes.Index(rec, []byte("?>")); bytes.HasPrefix(rec, []byte("<?xml")) && j > 0 {
				rec = bytes.TrimLeft(rec[j+2:], "\r\n\t ")
			}
			total += int64(len(rec))
			if r, err := iso.Parse(rec); err == nil {
				fmt.Fprintln(ids, url.PathEscape(r.FileIdentifier))
			}
			w.Write(rec)
			w.WriteString("\n")
		}
		w.WriteString("</csw:SearchResults></csw:GetRecordsResponse>\n")
		if err := w.Flush(); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err := ids.Flush(); err != nil {
		return fmt.Errorf("write ids.txt: %w", err)
	}
	fmt.Printf("%d records, %d bytes of records (%.1f KB each) in %s\n", n, total, float64(total)/float64(n)/1024, out)
	return nil
}

func nextRecord(end, n int) int {
	if end >= n {
		return 0
	}
	return end + 1
}
