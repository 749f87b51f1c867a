package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// The stores keep snapshots and records in a small length-prefixed binary
// form rather than JSON: Raw stays raw (no base64, a third smaller) and a
// 100 000-entry manifest encodes and decodes several times faster (see
// BenchmarkSnapshotCodec). Every value starts with a format byte so the
// layout can change later without misreading old data; a change should
// keep decoding the previous format, or stores written before it fail
// with ErrCorrupt until the next harvest rewrites them.
const (
	// formatSnapshot 3 adds the model version after the status; 2 is still
	// read (model 0).
	formatSnapshot       byte = 3
	formatSnapshotModel0 byte = 2
	formatRecord         byte = 2
	// formatRecordRef is the embedded store's reference to a record kept in
	// its catalog's append-only blob bucket (see BoltStore.PutRecords).
	formatRecordRef byte = 3
)

// ErrCorrupt is returned (wrapped) when a stored value cannot be decoded:
// damaged, or written in a format this version does not read. A harvester
// meeting it on Snapshot can rebuild, committing Generation()+1.
var ErrCorrupt = errors.New("corrupt stored value")

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) bytes(p []byte)   { e.uvarint(uint64(len(p))); e.b = append(e.b, p...) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }

// time stores seconds and nanoseconds since the Unix epoch (UTC); the zero
// time round-trips to the zero time.
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.b = append(e.b, 0)
		return
	}
	e.b = append(e.b, 1)
	e.varint(t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
}

// decoder reads the stored forms. When s is set (it mirrors b, see
// newStringDecoder), strings are substrings of it: a snapshot costs one
// copy of its bytes instead of one allocation per string.
type decoder struct {
	b    []byte
	s    string
	hasS bool
	err  error
}

// newStringDecoder copies b into one string that decoded strings share.
func newStringDecoder(b []byte) decoder {
	return decoder{b: b, s: string(b), hasS: true}
}

// skip drops n bytes (n <= len(d.b)).
func (d *decoder) skip(n int) {
	d.b = d.b[n:]
	if d.hasS {
		d.s = d.s[n:]
	}
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s", ErrCorrupt, what)
	}
}

func (d *decoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.skip(n)
	return v
}

func (d *decoder) varint(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.skip(n)
	return v
}

func (d *decoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.fail(what)
		return 0
	}
	c := d.b[0]
	d.skip(1)
	return c
}

// raw returns the next length-prefixed field, aliasing the input.
func (d *decoder) raw(what string) []byte {
	n := d.uvarint(what)
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(what)
		return nil
	}
	p := d.b[:n:n]
	d.skip(int(n))
	return p
}

// length reads a field length the input can hold.
func (d *decoder) length(what string) int {
	n := d.uvarint(what)
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)) {
		d.fail(what)
		return 0
	}
	return int(n)
}

// bytes returns a copy of the next field, nil when empty.
func (d *decoder) bytes(what string) []byte {
	p := d.raw(what)
	if len(p) == 0 {
		return nil
	}
	return slices.Clone(p)
}

func (d *decoder) str(what string) string {
	if !d.hasS {
		return string(d.raw(what))
	}
	n := d.length(what)
	if d.err != nil || n == 0 {
		return ""
	}
	v := d.s[:n]
	d.skip(n)
	return v
}

// count reads a collection length, refusing one the remaining input cannot
// hold (each element takes at least min bytes): a corrupt length never
// triggers a huge allocation.
func (d *decoder) count(what string, min int) int {
	n := d.uvarint(what)
	if d.err != nil {
		return 0
	}
	if n > uint64(len(d.b)/min) {
		d.fail(what)
		return 0
	}
	return int(n)
}

func (d *decoder) time(what string) time.Time {
	switch d.byte(what) {
	case 0:
		return time.Time{}
	case 1:
		sec := d.varint(what)
		nsec := d.uvarint(what)
		if d.err != nil {
			return time.Time{}
		}
		if nsec >= 1e9 {
			d.fail(what)
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec)).UTC()
	default:
		d.fail(what)
		return time.Time{}
	}
}

func (d *decoder) end(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail(what + ": trailing bytes")
	}
	return d.err
}

// encodeSnapshot returns the stored form of snap. Every field of Snapshot
// and Entry is written: TestCodecCoversEveryField fails when one is added
// and not encoded here.
func encodeSnapshot(snap *Snapshot) []byte {
	size := 64 + len(snap.Catalog) + len(snap.Status)
	for i := range snap.Entries {
		en := &snap.Entries[i]
		size += 48 + len(en.ID) + len(en.Hash) + len(en.DateStamp) + len(en.Type) + len(en.Identifier) + len(en.Title) + len(en.ParentID)
		for _, p := range en.Producers {
			size += 2 + len(p)
		}
		for _, p := range en.ProducerNames {
			size += 2 + len(p)
		}
	}
	e := encoder{b: make([]byte, 0, size)}
	e.b = append(e.b, formatSnapshot)
	e.str(snap.Catalog)
	e.varint(snap.Generation)
	e.time(snap.Created)
	e.str(snap.Status)
	e.uvarint(uint64(max(snap.Model, 0)))
	keys := make([]string, 0, len(snap.Producers))
	for k := range snap.Producers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(snap.Producers[k])
	}
	for _, list := range [][]Entry{snap.Entries, snap.Shadowed} {
		e.uvarint(uint64(len(list)))
		for i := range list {
			e.entry(&list[i])
		}
	}
	return e.b
}

func (e *encoder) strs(list []string) {
	e.uvarint(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

func (e *encoder) entry(en *Entry) {
	e.str(en.ID)
	e.str(en.Hash)
	e.time(en.FirstStored)
	e.str(en.DateStamp)
	e.str(en.Type)
	e.strs(en.Producers)
	e.strs(en.ProducerNames)
	e.str(en.Identifier)
	e.str(en.Conflict)
	e.str(en.ParentID)
	e.str(en.Title)
}

// decodeSnapshot parses the stored form of a snapshot. Empty collections
// decode as nil. Repeated short strings (producer slugs and names, types,
// date stamps) share one allocation.
func decodeSnapshot(b []byte) (*Snapshot, error) {
	d := newStringDecoder(b)
	format := d.byte("format")
	if format != formatSnapshot && format != formatSnapshotModel0 {
		d.fail("snapshot format")
		return nil, d.err
	}
	snap := &Snapshot{
		Catalog:    d.str("catalog"),
		Generation: d.varint("generation"),
		Created:    d.time("created"),
		Status:     d.str("status"),
	}
	if format == formatSnapshot {
		snap.Model = int(d.uvarint("model") & 0x7fffffff)
	}
	if n := d.count("producer count", 2); n > 0 {
		snap.Producers = make(map[string]string, n)
		for range n {
			k := d.str("producer slug")
			snap.Producers[k] = d.str("producer name")
		}
	}
	in := interner{d: &d, m: map[string]string{}}
	snap.Entries = in.entries("entry")
	snap.Shadowed = in.entries("shadowed entry")
	if d.err != nil {
		return nil, d.err
	}
	if err := d.end("snapshot"); err != nil {
		return nil, err
	}
	return snap, nil
}

type interner struct {
	d *decoder
	m map[string]string
}

func (in *interner) short(what string) string {
	if in.d.hasS {
		return in.d.str(what) // a substring: nothing to share
	}
	p := in.d.raw(what)
	if len(p) == 0 {
		return ""
	}
	if len(p) > 64 {
		return string(p)
	}
	if s, ok := in.m[string(p)]; ok {
		return s
	}
	s := string(p)
	in.m[s] = s
	return s
}

func (in *interner) shorts(countWhat, what string) []string {
	n := in.d.count(countWhat, 1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for j := range out {
		out[j] = in.short(what)
	}
	return out
}

// entryFields names an entry's fields in errors, built once per list
// (not per entry: concatenating per field would allocate).
type entryFields struct {
	id, hash, first, date, typ, identifier, conflict, parent, title string
	producer, producerCount, producerName, producerNameCount        string
}

func newEntryFields(what string) entryFields {
	return entryFields{
		id: what + " id", hash: what + " hash", first: what + " first_stored",
		date: what + " date_stamp", typ: what + " type",
		producer: what + " producer", producerCount: what + " producer count",
		producerName: what + " producer name", producerNameCount: what + " producer name count",
		identifier: what + " identifier",
		conflict:   what + " conflict", parent: what + " parent_id", title: what + " title",
	}
}

func (in *interner) entries(what string) []Entry {
	d := in.d
	n := d.count(what+" count", 8)
	if n == 0 || d.err != nil {
		return nil
	}
	f := newEntryFields(what)
	list := make([]Entry, n)
	for i := range list {
		en := &list[i]
		en.ID = d.str(f.id)
		en.Hash = d.str(f.hash)
		en.FirstStored = d.time(f.first)
		en.DateStamp = in.short(f.date)
		en.Type = in.short(f.typ)
		en.Producers = in.shorts(f.producerCount, f.producer)
		en.ProducerNames = in.shorts(f.producerNameCount, f.producerName)
		en.Identifier = d.str(f.identifier)
		en.Conflict = d.str(f.conflict)
		en.ParentID = d.str(f.parent)
		en.Title = d.str(f.title)
		if d.err != nil {
			return nil
		}
	}
	return list
}

// encodeRecord returns the stored form of rec without its hash (the key
// holds it).
func encodeRecord(rec *StoredRecord) []byte {
	e := encoder{b: make([]byte, 0, 32+len(rec.Raw)+len(rec.Parsed)+len(rec.ParseError))}
	e.b = append(e.b, formatRecord)
	e.bytes(rec.Raw)
	e.bytes(rec.Parsed)
	e.str(rec.ParseError)
	e.time(rec.FirstStored)
	return e.b
}

// decodeRecord parses the stored form of the record with this hash.
func decodeRecord(hash string, b []byte) (StoredRecord, error) {
	d := decoder{b: b}
	if d.byte("format") != formatRecord {
		d.fail("record format")
		return StoredRecord{}, d.err
	}
	rec := StoredRecord{
		Hash:       hash,
		Raw:        d.bytes("raw"),
		Parsed:     d.bytes("parsed"),
		ParseError: d.str("parse_error"),
	}
	rec.FirstStored = d.time("first_stored")
	if err := d.end("record"); err != nil {
		return StoredRecord{}, err
	}
	return rec, nil
}

// encodeRecordRef is the embedded store's small value for a record whose
// bytes live in the blob bucket under seq.
func encodeRecordRef(seq uint64, first time.Time) []byte {
	e := encoder{b: make([]byte, 0, 24)}
	e.b = append(e.b, formatRecordRef)
	e.uvarint(seq)
	e.time(first)
	return e.b
}

// decodeRecordRef reads a reference; ok=false when b is not one.
func decodeRecordRef(b []byte) (seq uint64, first time.Time, ok bool, err error) {
	if len(b) == 0 || b[0] != formatRecordRef {
		return 0, time.Time{}, false, nil
	}
	d := decoder{b: b[1:]}
	seq = d.uvarint("blob sequence")
	first = d.time("first_stored")
	return seq, first, true, d.end("record reference")
}

// recordParsed returns a copy of an encoded record's parsed model (nil when
// empty) without reading its raw bytes.
func recordParsed(b []byte) ([]byte, error) {
	d := decoder{b: b}
	if d.byte("format") != formatRecord {
		d.fail("record format")
		return nil, d.err
	}
	d.raw("raw")
	p := d.bytes("parsed")
	if d.err != nil {
		return nil, d.err
	}
	return p, nil
}

// recordFirstStored reads only the FirstStored of a stored record.
func recordFirstStored(b []byte) (time.Time, error) {
	d := decoder{b: b}
	if d.byte("format") != formatRecord {
		d.fail("record format")
		return time.Time{}, d.err
	}
	d.raw("raw")
	d.raw("parsed")
	d.raw("parse_error")
	t := d.time("first_stored")
	return t, d.end("record")
}

// int64Key is the 8-byte big-endian form of n, ordered like n for n >= 0.
func int64Key(n int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

// keyInt64 reverses int64Key.
func keyInt64(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("%w: bad integer of %d bytes", ErrCorrupt, len(b))
	}
	v := binary.BigEndian.Uint64(b)
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%w: integer out of range", ErrCorrupt)
	}
	return int64(v), nil
}
