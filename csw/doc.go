// Package csw is what both sides of passerelle share of OGC Catalogue
// Service for the Web 2.0.2 (HTTP binding, ISO 19139 / APISO output): the
// namespaces (ns.go), the errors an upstream answer is classified with, the
// GetRecords URLs of a capabilities document, and record splitting. The
// harvesting client is package csw/client, the facade package csw/facade;
// neither imports the other.
//
// SplitRecords streams a GetRecordsResponse or GetRecordByIdResponse and
// yields each record as a self-contained document (ancestor namespace
// declarations copied onto the record root); the client and the folder
// harvester use it. DTDs are refused, nesting and body sizes are bounded.
//
// Errors are classified here: ErrTransient (retry may help) or ErrUpstream
// (the answer is wrong), with *ExceptionError and *RootError for details;
// *Error and *Sentinel carry a class and a message.
//
// Specifications: OGC 07-006r1 (CSW 2.0.2,
// https://portal.ogc.org/files/?artifact_id=20555), OGC 07-045 (ISO
// Metadata Application Profile), OGC 04-095 (Filter Encoding 1.1),
// OGC 06-121r3 (OWS Common), ISO/TS 19139.
package csw
