// Package harvest runs a catalog's harvest: it walks the upstream CSW (or
// reads a folder of ISO 19139 files), hashes and parses each record, keeps
// what did not change, deduplicates, and commits a new snapshot to the cache
// only when the result is trustworthy. It never costs the last good data: a
// partial harvest keeps what it could not confirm, a failed one (or one whose
// record count collapses) keeps the previous snapshot whole.
//
// A run streams in bounded memory: records flow from the source (a CSW walk
// page by page, a folder file by file) through a window of records in
// flight, are hashed, parsed and encoded on every core, and are applied in
// upstream order by one goroutine that writes them to the store in batches;
// the walker fetches the next page while the current one is parsed.
//
// A report per run says what happened and why; the last cache.MaxReports are
// kept per catalog. Scheduler keeps catalogs fresh on their interval.
package harvest
