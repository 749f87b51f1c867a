// Package client is the harvesting side of CSW 2.0.2: Client walks an
// upstream catalog (Client.Walk): GetCapabilities, GetRecords
// resultType=hits for the count, then pages of ISO records (outputSchema
// http://www.isotc211.org/2005/gmd, typeNames gmd:MD_Metadata,
// ElementSetName full), POST XML with a KVP GET fallback.
//
// It survives what real servers do (see ../shared/reference/csw-servers.md
// §2): exception reports under HTTP 200, HTML answers, silent maxRecords
// caps, short pages, nextRecord loops, numberOfRecordsMatched changing
// mid-walk, truncated bodies, redirects. Failing pages are retried
// (csw.ErrTransient only) and split down to single records; the WalkReport
// says what was fetched and why anything was not. Compatibility switches
// (namespace parameter, CQL_TEXT, brief then GetRecordById, SortBy) come
// from catalogs.toml through Endpoint and are also tried automatically when
// an exception names the parameter.
//
// Pages are cut into records by csw.SplitPage; every error it returns for
// an upstream answer wraps csw.ErrTransient or csw.ErrUpstream.
package client
