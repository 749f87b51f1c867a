package dcat

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// MapperVersion changes whenever Map's output for the same input changes;
// callers key cached fragments by it.
const MapperVersion = 9

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

	// A compacted fragment keeps its encoded form instead of its decoded
	// triples (a tenth of the memory); they are decoded again on use.
	mu     sync.Mutex
	packed []byte
	enc    []byte // the bytes UnmarshalFragment read, reused by Compact
}

// Compact drops the decoded triples and keeps the encoded form: a server
// holding every record's fragment keeps ~8 KB per record instead of tens,
// and decodes the few a page needs (~50 µs each). Safe for concurrent use.
func (f *Fragment) Compact() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.packed != nil {
		return
	}
	if f.enc != nil {
		f.packed, f.enc = f.enc, nil
	} else {
		f.packed = encodeFragment(&f.d)
	}
	f.d.Triples, f.d.Stub = nil, nil
	// Decoded strings share one buffer with the triples: clone what stays
	// so the buffer can go.
	d := &f.d
	d.IRI, d.RecordIRI, d.Kind = strings.Clone(d.IRI), strings.Clone(d.RecordIRI), strings.Clone(d.Kind)
	d.FileID, d.Identifier, d.Title = strings.Clone(d.FileID), strings.Clone(d.Identifier), strings.Clone(d.Title)
	for i := range d.Links {
		d.Links[i] = Link{Predicate: strings.Clone(d.Links[i].Predicate), TargetFileID: strings.Clone(d.Links[i].TargetFileID)}
	}
	for i := range d.Notes {
		d.Notes[i] = strings.Clone(d.Notes[i])
	}
}

// Head returns a copy of the fragment without its triples: what
// OrderForPage reads (identifiers, kind, title, links), a few hundred bytes.
// A server keeps one head per record to order its feeds and loads the full
// fragments of the page it writes; a head itself writes no triples.
func (f *Fragment) Head() *Fragment {
	h := &Fragment{}
	d := &f.d
	h.d = fragmentData{
		Version: d.Version, IRI: strings.Clone(d.IRI), RecordIRI: strings.Clone(d.RecordIRI), Kind: strings.Clone(d.Kind),
		FileID: strings.Clone(d.FileID), Identifier: strings.Clone(d.Identifier), Title: strings.Clone(d.Title),
	}
	for _, l := range d.Links {
		h.d.Links = append(h.d.Links, Link{Predicate: strings.Clone(l.Predicate), TargetFileID: strings.Clone(l.TargetFileID)})
	}
	return h
}

// triples returns the fragment's triples and stub, decoding them when the
// fragment is compacted. The decoded form is not kept.
func (f *Fragment) triples() (triples, stub []Triple) {
	f.mu.Lock()
	packed := f.packed
	triples, stub = f.d.Triples, f.d.Stub
	f.mu.Unlock()
	if packed == nil {
		return triples, stub
	}
	d, err := decodeFragment(packed)
	if err != nil { // our own encoding: cannot happen but for memory corruption
		return nil, nil
	}
	return d.Triples, d.Stub
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
func (f *Fragment) Len() int {
	ts, _ := f.triples()
	return len(ts)
}

// MarshalBinary encodes the fragment for the cache (a compact binary form
// with a string table; see codec.go).
func (f *Fragment) MarshalBinary() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.packed != nil {
		return append([]byte(nil), f.packed...), nil
	}
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
	return &Fragment{d: *d, enc: append([]byte(nil), b...)}, nil //nolint:govet // fresh value, mutex unused yet
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
