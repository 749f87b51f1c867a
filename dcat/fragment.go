package dcat

import (
	"errors"
	"fmt"
)

// MapperVersion changes whenever Map's output for the same input changes;
// callers key cached fragments by it.
const MapperVersion = 8

// ErrInvalid classifies errors caused by bad input or options.
var ErrInvalid = errors.New("dcat: invalid input")

// Link is a cross-record link a fragment asks for: Predicate is the full
// predicate IRI (dcat:inSeries or dcat:servesDataset); Target is the target
// record's fileIdentifier or, failing that, its resource identifier — the
// resolver given to WritePage/WriteDataset must accept both.
type Link struct {
	Predicate    string `json:"p"`
	TargetFileID string `json:"t"`
}

// Fragment is one record's precomputed graph: its triples (blank-node labels
// unique to the record), what a page needs to list it, the typed stub other
// documents show of it and the cross-record links it wants.
type Fragment struct {
	d fragmentData
}

type fragmentData struct {
	Version    int      `json:"ver"`
	IRI        string   `json:"iri"`
	RecordIRI  string   `json:"rec"`
	Kind       string   `json:"kind"`
	FileID     string   `json:"fid"`
	Identifier string   `json:"id"`
	Title      string   `json:"title,omitempty"`
	Triples    []Triple `json:"tr"`
	Stub       []Triple `json:"stub"`
	Links      []Link   `json:"links,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// IRI is the resource's IRI.
func (f *Fragment) IRI() string { return f.d.IRI }

// RecordIRI is the IRI of the resource's dcat:CatalogRecord.
func (f *Fragment) RecordIRI() string { return f.d.RecordIRI }

// Kind is "dataset", "series", "service" or "other".
func (f *Fragment) Kind() string { return f.d.Kind }

// FileIdentifier is the record's fileIdentifier.
func (f *Fragment) FileIdentifier() string { return f.d.FileID }

// Identifier is the served dct:identifier.
func (f *Fragment) Identifier() string { return f.d.Identifier }

// Title is the resource's main title.
func (f *Fragment) Title() string { return f.d.Title }

// Links lists the cross-record links the fragment asks for.
func (f *Fragment) Links() []Link { return f.d.Links }

// Notes lists what the mapper dropped or could not map, with reasons.
func (f *Fragment) Notes() []string { return f.d.Notes }

// Len is the number of triples of the fragment.
func (f *Fragment) Len() int { return len(f.d.Triples) }

// MarshalBinary encodes the fragment for the cache (a compact binary form
// with a string table; see codec.go).
func (f *Fragment) MarshalBinary() ([]byte, error) {
	return encodeFragment(&f.d), nil
}

// UnmarshalFragment decodes bytes written by MarshalBinary. Malformed bytes
// and bytes from another MapperVersion are refused (ErrInvalid): remap the
// record. It never panics on bad input.
func UnmarshalFragment(b []byte) (*Fragment, error) {
	d, err := decodeFragment(b)
	if err != nil {
		return nil, fmt.Errorf("decode fragment: %w: %w", ErrInvalid, err)
	}
	if d.Version != MapperVersion {
		return nil, fmt.Errorf("decode fragment: mapper version %d, want %d: %w", d.Version, MapperVersion, ErrInvalid)
	}
	return &Fragment{d: *d}, nil
}

// classFor is the rdf:type of a kind.
func classFor(kind string) string {
	switch kind {
	case "series":
		return nsDCAT + "DatasetSeries"
	case "service":
		return nsDCAT + "DataService"
	case "other":
		return nsDCAT + "Resource"
	}
	return nsDCAT + "Dataset"
}
