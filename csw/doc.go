// Package csw speaks OGC Catalogue Service for the Web 2.0.2 (HTTP binding,
// ISO 19139 / APISO output) on both sides of passerelle.
//
// # Client
//
// Client walks an upstream catalog (Client.Walk): GetCapabilities,
// GetRecords resultType=hits for the count, then pages of ISO records
// (outputSchema http://www.isotc211.org/2005/gmd, typeNames
// gmd:MD_Metadata, ElementSetName full), POST XML with a KVP GET fallback.
// It survives what real servers do (see ../shared/reference/csw-servers.md
// §2): exception reports under HTTP 200, HTML answers, silent maxRecords
// caps, short pages, nextRecord loops, numberOfRecordsMatched changing
// mid-walk, truncated bodies, redirects. Failing pages are retried
// (ErrTransient only) and split down to single records; the WalkReport
// says what was fetched and why anything was not. Compatibility switches
// (namespace parameter, CQL_TEXT, brief then GetRecordById, SortBy) come
// from catalogs.toml and are also tried automatically when an exception
// names the parameter.
//
// SplitRecords streams a GetRecordsResponse or GetRecordByIdResponse and
// yields each record as a self-contained document (ancestor namespace
// declarations copied onto the record root); the client and the folder
// harvester use it. DTDs are refused, nesting and body sizes are bounded.
//
// Errors are classified at this edge: ErrTransient (retry may help) or
// ErrUpstream (the answer is wrong), with *ExceptionError and *RootError
// for details.
//
// # Facade
//
// Facade answers CSW 2.0.2 requests (GetCapabilities, DescribeRecord,
// GetRecords, GetRecordById, GetDomain) from snapshot entries: ParseKVP
// and ParseXML turn a request into a Request, Facade.Serve renders the
// answer (original ISO bytes for outputSchema gmd full, brief/summary,
// csw:Record and Atom built from the parsed model, ElementName
// projections, pycsw's JSON for outputFormat=application/json),
// Facade.Error renders an ows:ExceptionReport. OGC Filter 1.1 and a CQL
// subset are evaluated by ParseFilter / Filter.Match over every core and
// ISO AP 1.0 queryable (queryables.go), with the spatial operators on the
// records' repaired boxes and filter geometries reprojected from the
// French CRSs (crs.go, spatial.go). No I/O happens here: the proxy package
// serves it over HTTP.
//
// Specifications: OGC 07-006r1 (CSW 2.0.2,
// https://portal.ogc.org/files/?artifact_id=20555), OGC 07-045 (ISO
// Metadata Application Profile), OGC 04-095 (Filter Encoding 1.1),
// OGC 06-121r3 (OWS Common), ISO/TS 19139.
package csw
