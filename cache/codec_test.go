package cache

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleSnapshot(n int) *Snapshot {
	snap := &Snapshot{
		Catalog:    "geo2france",
		Generation: 1764489600123456789,
		Created:    time.Date(2026, 11, 30, 8, 0, 0, 5, time.UTC),
		Status:     "ok",
		Producers:  map[string]string{"ign": "IGN", "region-hauts-de-france": "Région Hauts-de-France"},
	}
	for i := range n {
		snap.Entries = append(snap.Entries, Entry{
			ID:          fmt.Sprintf("fr-120066022-jdd-%08d-1f3c-4a8e-9b1d-%012d", i, i),
			Hash:        fmt.Sprintf("%064x", i*7919),
			FirstStored: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
			DateStamp:   "2025-03-01T10:00:00",
			Type:        "dataset",
			Producers:   []string{"region-hauts-de-france", "ign"},
			Identifier:  fmt.Sprintf("https://www.geo2france.fr/geonetwork/srv/api/records/%d", i),
		})
	}
	return snap
}

func TestSnapshotCodec(t *testing.T) {
	tests := []struct {
		name string
		snap *Snapshot
	}{
		{"empty", &Snapshot{Catalog: "c", Generation: 1}},
		{"negative times", &Snapshot{Catalog: "c", Generation: 2, Created: time.Date(1600, 1, 1, 0, 0, 0, 1, time.UTC),
			Entries: []Entry{{ID: "a", Hash: "h", FirstStored: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}}}},
		{"odd bytes", &Snapshot{Catalog: "\x00\xff", Generation: -1, Status: "partial",
			Entries: []Entry{{ID: "\x00", Hash: "\xff", Producers: []string{"", "x"}}}}},
		{"many", sampleSnapshot(1000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeSnapshot(tc.snap)
			got, err := decodeSnapshot(b)
			require.NoError(t, err)
			assert.Equal(t, tc.snap, got)
			// Every strict prefix is refused, never a panic.
			for i := range len(b) {
				_, err := decodeSnapshot(b[:i])
				require.ErrorIs(t, err, ErrCorrupt, "prefix of %d bytes", i)
				if len(b) > 4096 && i > 256 {
					break
				}
			}
			_, err = decodeSnapshot(append(b, 0))
			require.ErrorIs(t, err, ErrCorrupt, "trailing byte")
		})
	}
}

func TestRecordCodec(t *testing.T) {
	tests := []struct {
		name string
		rec  StoredRecord
	}{
		{"empty", StoredRecord{Hash: "h"}},
		{"full", StoredRecord{Hash: "h", Raw: []byte("<x/>"), Parsed: []byte("{}"), ParseError: "e",
			FirstStored: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeRecord(&tc.rec)
			got, err := decodeRecord(tc.rec.Hash, b)
			require.NoError(t, err)
			assert.Equal(t, tc.rec, got)
			first, err := recordFirstStored(b)
			require.NoError(t, err)
			assert.Equal(t, tc.rec.FirstStored, first)
			for i := range len(b) {
				_, err := decodeRecord("h", b[:i])
				require.ErrorIs(t, err, ErrCorrupt, "prefix of %d bytes", i)
			}
		})
	}
}

func TestDecodeRefusesHugeCounts(t *testing.T) {
	// A count far above what the input holds must not allocate it.
	b := []byte{formatSnapshot, 1, 'c', 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}
	_, err := decodeSnapshot(b)
	require.ErrorIs(t, err, ErrCorrupt)
}

func FuzzDecodeSnapshot(f *testing.F) {
	f.Add(encodeSnapshot(sampleSnapshot(3)))
	f.Add(encodeSnapshot(&Snapshot{Catalog: "c", Generation: 1}))
	f.Add([]byte{formatSnapshot})
	f.Fuzz(func(t *testing.T, b []byte) {
		snap, err := decodeSnapshot(b)
		if err != nil {
			return
		}
		// What decodes re-encodes to a value decoding to the same snapshot.
		again, err := decodeSnapshot(encodeSnapshot(snap))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		assert.Equal(t, snap, again)
	})
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(&StoredRecord{Raw: []byte("<x/>"), Parsed: []byte("{}"), FirstStored: time.Unix(1, 2)}))
	f.Add([]byte{formatRecord, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord("h", b)
		if err != nil {
			return
		}
		again, err := decodeRecord("h", encodeRecord(&rec))
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		assert.Equal(t, rec, again)
		first, err := recordFirstStored(b)
		require.NoError(t, err)
		assert.Equal(t, rec.FirstStored, first)
	})
}

// BenchmarkSnapshotCodec compares the stored form with JSON on a
// 100 000-entry manifest; bytes/entry is the encoded size.
func BenchmarkSnapshotCodec(b *testing.B) {
	snap := sampleSnapshot(100_000)
	bin := encodeSnapshot(snap)
	js, err := json.Marshal(snap)
	require.NoError(b, err)
	b.Run("binary/encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeSnapshot(snap)
		}
		b.ReportMetric(float64(len(bin))/1e5, "bytes/entry")
	})
	b.Run("binary/decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeSnapshot(bin); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json/encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(snap); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(js))/1e5, "bytes/entry")
	})
	b.Run("json/decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s Snapshot
			if err := json.Unmarshal(js, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A snapshot written before the model version was recorded (format 2) is
// still read, as model 0, so the next harvest parses its records again.
func TestSnapshotCodecReadsFormatWithoutModel(t *testing.T) {
	created := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	e := encoder{}
	e.b = append(e.b, formatSnapshotModel0)
	e.str("c")
	e.varint(5)
	e.time(created)
	e.str("ok")
	e.uvarint(0) // producers
	e.uvarint(1) // entries
	e.entry(&Entry{ID: "a", Hash: "h"})
	e.uvarint(0) // shadowed
	got, err := decodeSnapshot(e.b)
	require.NoError(t, err)
	assert.Equal(t, &Snapshot{Catalog: "c", Generation: 5, Created: created, Status: "ok", Entries: []Entry{{ID: "a", Hash: "h"}}}, got)

	now := encodeSnapshot(&Snapshot{Catalog: "c", Generation: 5, Created: created, Status: "ok", Model: 3})
	require.Equal(t, formatSnapshot, now[0])
	back, err := decodeSnapshot(now)
	require.NoError(t, err)
	assert.Equal(t, 3, back.Model)
}
