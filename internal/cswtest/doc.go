// Package cswtest is a CSW 2.0.2 test server for the harvester and the CSW
// client: GetCapabilities, GetRecords (hits and results, KVP GET and POST
// XML, SortBy, startPosition/maxRecords, server-side caps) and
// GetRecordById over a slice of raw ISO 19139 records, routed on parsed
// parameters, plus the faults real servers show (csw-servers.md §2 and §6):
// HTTP 500 and 503 with Retry-After, timeouts, connections reset
// mid-body, truncated XML, invalid characters, exception reports and HTML
// under 200, nextRecord loops, lying or changing numberOfRecordsMatched,
// short and oversized pages, redirects, entity bombs, rejected SortBy.
//
// A replay mode serves recorded GetRecordsResponse envelopes (the shared
// corpus) by startPosition. Generate makes realistic records. Test support
// only; cmd/cswserve serves it on an address for manual runs.
package cswtest
