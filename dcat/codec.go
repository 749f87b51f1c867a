package dcat

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Binary layout of a marshalled fragment (all integers uvarint):
//
//	magic "PDF" | version | n strings | n × (len, bytes) |
//	iri rec kind fid id title (string indexes) |
//	n notes × idx | n links × (pred idx, target idx) |
//	n triples × 3 terms | n stub triples × 3 terms
//	term = kind | value idx | lang idx | datatype idx   (index 0 is "")
//
// Strings are stored once (subjects, predicates and vocabulary IRIs repeat a
// lot) and decoded as substrings of one string, so decoding costs a few
// allocations per fragment.
const fragMagic = "PDF"

var errFragment = errors.New("malformed fragment bytes")

type fragEncoder struct {
	buf   []byte
	index map[string]uint64
	strs  []string
}

func (e *fragEncoder) idx(s string) uint64 {
	if i, ok := e.index[s]; ok {
		return i
	}
	i := uint64(len(e.strs))
	e.index[s] = i
	e.strs = append(e.strs, s)
	return i
}

func (e *fragEncoder) u(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *fragEncoder) term(t Term) {
	e.u(uint64(t.Kind))
	e.u(e.idx(t.Value))
	e.u(e.idx(t.Lang))
	e.u(e.idx(t.Datatype))
}

func encodeFragment(d *fragmentData) []byte {
	e := &fragEncoder{index: map[string]uint64{"": 0}, strs: []string{""}}
	// Body first (collects the strings), then header + string table.
	for _, s := range []string{d.IRI, d.RecordIRI, d.Kind, d.FileID, d.Identifier, d.Title} {
		e.u(e.idx(s))
	}
	e.u(uint64(len(d.Notes)))
	for _, n := range d.Notes {
		e.u(e.idx(n))
	}
	e.u(uint64(len(d.Links)))
	for _, l := range d.Links {
		e.u(e.idx(l.Predicate))
		e.u(e.idx(l.TargetFileID))
	}
	for _, ts := range [][]Triple{d.Triples, d.Stub} {
		e.u(uint64(len(ts)))
		for _, t := range ts {
			e.term(t.S)
			e.term(t.P)
			e.term(t.O)
		}
	}
	body := e.buf
	size := len(fragMagic) + 20 + len(body)
	for _, s := range e.strs {
		size += len(s) + 5
	}
	out := make([]byte, 0, size)
	out = append(out, fragMagic...)
	out = binary.AppendUvarint(out, uint64(d.Version))
	out = binary.AppendUvarint(out, uint64(len(e.strs)))
	for _, s := range e.strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, body...)
}

type fragDecoder struct {
	s    string // the whole input, strings are substrings of it
	pos  int
	strs []string
	err  error
}

func (d *fragDecoder) u() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint([]byte(d.s[d.pos:min(len(d.s), d.pos+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.err = errFragment
		return 0
	}
	d.pos += n
	return v
}

// count reads a length and checks it against what is left (each item takes
// at least min bytes).
func (d *fragDecoder) count(minBytes int) int {
	v := d.u()
	if d.err == nil && v > uint64((len(d.s)-d.pos)/minBytes+1) {
		d.err = errFragment
		return 0
	}
	return int(v)
}

func (d *fragDecoder) str() string {
	i := d.u()
	if d.err == nil && i >= uint64(len(d.strs)) {
		d.err = errFragment
	}
	if d.err != nil {
		return ""
	}
	return d.strs[i]
}

func (d *fragDecoder) term() Term {
	k := d.u()
	if d.err == nil && (k < uint64(kindIRI) || k > uint64(kindLiteral)) {
		d.err = errFragment
	}
	return Term{Kind: termKind(k), Value: d.str(), Lang: d.str(), Datatype: d.str()}
}

func (d *fragDecoder) triples() []Triple {
	n := d.count(12)
	if d.err != nil {
		return nil
	}
	ts := make([]Triple, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		t := Triple{S: d.term(), P: d.term(), O: d.term()}
		if d.err == nil && (t.S.Kind == kindLiteral || t.P.Kind != kindIRI) {
			d.err = errFragment
		}
		ts = append(ts, t)
	}
	return ts
}

func decodeFragment(b []byte) (*fragmentData, error) {
	if len(b) < len(fragMagic) || string(b[:len(fragMagic)]) != fragMagic {
		return nil, errFragment
	}
	d := &fragDecoder{s: string(b), pos: len(fragMagic)}
	fd := &fragmentData{Version: int(d.u())}
	if d.err == nil && fd.Version != MapperVersion {
		return fd, nil // caller reports the version
	}
	n := d.count(1)
	d.strs = make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		l := d.u()
		if d.err == nil && l > uint64(len(d.s)-d.pos) {
			d.err = errFragment
			break
		}
		d.strs = append(d.strs, d.s[d.pos:d.pos+int(l)])
		d.pos += int(l)
	}
	fd.IRI, fd.RecordIRI, fd.Kind, fd.FileID, fd.Identifier, fd.Title = d.str(), d.str(), d.str(), d.str(), d.str(), d.str()
	if nn := d.count(1); d.err == nil {
		for i := 0; i < nn && d.err == nil; i++ {
			fd.Notes = append(fd.Notes, d.str())
		}
	}
	if nl := d.count(2); d.err == nil {
		for i := 0; i < nl && d.err == nil; i++ {
			fd.Links = append(fd.Links, Link{Predicate: d.str(), TargetFileID: d.str()})
		}
	}
	fd.Triples = d.triples()
	fd.Stub = d.triples()
	if d.err == nil && d.pos != len(d.s) {
		d.err = errFragment
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w at byte %d", d.err, d.pos)
	}
	return fd, nil
}
