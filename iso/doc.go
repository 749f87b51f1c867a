// Package iso parses ISO 19139 metadata records (gmd:MD_Metadata,
// gmi:MI_Metadata and roots declaring gco:isoType="gmd:MD_Metadata") into
// Record, the model every other package reads. It does no I/O.
//
// It also owns the producer rules: which organisations a record names, in
// which role order, and how a name becomes a slug.
//
// Specifications: ISO 19115:2003 / ISO 19139:2007 (http://www.isotc211.org/2005/gmd),
// INSPIRE Technical Guidelines for metadata.
package iso
