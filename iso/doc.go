// Package iso parses ISO 19139 metadata records (gmd:MD_Metadata,
// gmi:MI_Metadata and roots declaring gco:isoType="gmd:MD_Metadata") into
// Record, the model every other package reads. It does no I/O.
//
// It also owns the producer rules: which organisations a record names, in
// which role order, and how a name becomes a slug; and the identifier rule
// (Record.ResourceIdentifier) that fixes the identifier served for a record.
//
// Parse matches elements by namespace URI, never by prefix, and accepts GML
// 3.1.1 and GML 3.2. It reads the document with its own byte-slice scanner
// (scan.go), cross-checked against encoding/xml by a differential test and a
// fuzz target: it never resolves DTDs or entities other than the five
// predefined ones and character references (a DOCTYPE is refused), bounds
// nesting depth, and never panics. Errors are *RecordError wrapping
// ErrMalformed or ErrNotISO.
//
// Values are trimmed; one-line values (titles, keywords, organisation and
// individual names, online resource names) also have runs of white space
// collapsed to one space. Codelist values prefer @codeListValue over text.
//
// Specifications: ISO 19115:2003 / ISO 19139:2007 (http://www.isotc211.org/2005/gmd),
// ISO 19115-2 (http://www.isotc211.org/2005/gmi), INSPIRE Technical
// Guidelines for metadata 2.0, XML 1.0 and Namespaces in XML 1.0.
package iso
