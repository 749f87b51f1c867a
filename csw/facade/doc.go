// Package facade answers CSW 2.0.2 requests (GetCapabilities,
// DescribeRecord, GetRecords, GetRecordById, GetDomain) from snapshot
// entries: ParseKVP and ParseXML turn a request into a Request,
// Facade.Serve renders the answer (original ISO bytes for outputSchema gmd
// full, brief/summary, csw:Record and Atom built from the parsed model,
// ElementName projections, pycsw's JSON for outputFormat=application/json),
// Facade.Error renders an ows:ExceptionReport. OGC Filter 1.1 and a CQL
// subset are evaluated by ParseFilter / Filter.Match over every core and
// ISO AP 1.0 queryable (queryables.go), with the spatial operators on the
// records' repaired boxes and filter geometries reprojected from the
// French CRSs (crs.go, spatial.go).
//
// No I/O happens here: an entry holds only its search index (what
// filters, sorting and GetDomain read; Entry.IndexModel builds it from the
// model, which the caller then drops), and what an answer needs beyond it
// for the records it writes (their parsed models, one batched read per
// page; their harvested bytes; their DCAT rendering) is read through the
// Facade's Models, Raw and DCAT accessors with the request's context; the
// proxy package serves the facade over HTTP.
package facade
