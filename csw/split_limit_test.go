package csw

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// padReader streams head, then n bytes of pad, then tail, without holding
// the padding.
func padReader(head string, pad byte, n int, tail string) io.Reader {
	return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatByte(pad), int64(n)), strings.NewReader(tail))
}

type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

const limRec = `<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"><gmd:fileIdentifier><gco:CharacterString>%s</gco:CharacterString></gmd:fileIdentifier>`

func limPage(middle func(w *strings.Builder)) (head, tail string) {
	var h strings.Builder
	h.WriteString(`<?xml version="1.0"?><csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="3" numberOfRecordsReturned="3" nextRecord="0">`)
	fmt.Fprintf(&h, limRec+`</gmd:MD_Metadata>`, "first")
	fmt.Fprintf(&h, limRec, "big")
	middle(&h)
	return h.String(), `</gmd:MD_Metadata>` + fmt.Sprintf(limRec+`</gmd:MD_Metadata>`, "last") + `</csw:SearchResults></csw:GetRecordsResponse>`
}

// TestSplitLimits: a record past the record or text limit is skipped with
// a reason while it streams (the splitter's buffer stays near the limit,
// whatever the record's size) and the records around it are delivered.
func TestSplitLimits(t *testing.T) {
	lim := &limits{record: 256 << 10, text: 64 << 10}
	const huge = 20 << 20
	for _, tc := range []struct {
		name   string
		body   func() io.Reader
		reason string
	}{
		{"long text node", func() io.Reader {
			head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<gmd:abstract><gco:CharacterString>`) })
			return padReader(head, 'a', huge, `</gco:CharacterString></gmd:abstract>`+tail)
		}, "text node longer than 65536 bytes (max_text_bytes): record skipped"},
		{"text node just past the text limit", func() io.Reader {
			head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<gmd:abstract><gco:CharacterString>`) })
			return padReader(head, 'a', 64<<10+1, `</gco:CharacterString></gmd:abstract>`+tail)
		}, "text node longer than 65536 bytes"},
		{"long attribute value", func() io.Reader {
			head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<gmd:abstract x="`) })
			return padReader(head, 'b', huge, `"/>`+tail)
		}, "text node longer than 65536 bytes"},
		{"long CDATA", func() io.Reader {
			head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<gmd:abstract><![CDATA[`) })
			return padReader(head, 'c', huge, `]]></gmd:abstract>`+tail)
		}, "text node longer than 65536 bytes"},
		{"long comment", func() io.Reader {
			head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<!--`) })
			return padReader(head, 'd', huge, `-->`+tail)
		}, "record larger than 262144 bytes (max_record_bytes): skipped"},
		{"many small elements", func() io.Reader {
			head, tail := limPage(func(*strings.Builder) {})
			elems := strings.Repeat(`<gmd:keyword><gco:CharacterString>mot clé</gco:CharacterString></gmd:keyword>`, 200_000)
			return strings.NewReader(head + elems + tail)
		}, "record larger than 262144 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ids []string
			var reasons []string
			rec := &recorder{src: tc.body()}
			require.NoError(t, rec.prepare())
			env := &Envelope{Matched: -1, Returned: -1, Next: -1}
			s := splitter{rec: rec, env: env, fast: true, lim: lim,
				fn: func(_ *Envelope, raw []byte) error {
					ids = append(ids, RecordID(raw))
					return nil
				},
				skipped: func(_ *Envelope, reason string) error {
					reasons = append(reasons, reason)
					return nil
				}}
			require.NoError(t, s.start())
			assert.Equal(t, []string{"first", "last"}, ids)
			require.Len(t, reasons, 1)
			assert.Contains(t, reasons[0], tc.reason)
			assert.Equal(t, 3, env.Records)
			assert.LessOrEqual(t, cap(rec.buf), 4*int(lim.record), "what was buffered stays near the limit")
		})
	}
}

// TestSplitLimitsRecordsUnderTheLimit: records under the limits are
// delivered byte for byte, with or without limits.
func TestSplitLimitsRecordsUnderTheLimit(t *testing.T) {
	head, tail := limPage(func(w *strings.Builder) {
		w.WriteString(`<gmd:abstract>` + strings.Repeat("é", 1000) + `</gmd:abstract>`)
	})
	doc := head + tail
	var plain, limited [][]byte
	_, err := SplitRecords(strings.NewReader(doc), func(raw []byte) error { plain = append(plain, bytes.Clone(raw)); return nil })
	require.NoError(t, err)
	_, err = SplitRecordsLimited(strings.NewReader(doc), Limits{}, func(raw []byte) error { limited = append(limited, bytes.Clone(raw)); return nil },
		func(reason string) error { t.Errorf("skipped: %s", reason); return nil })
	require.NoError(t, err)
	require.Len(t, plain, 3)
	assert.Equal(t, plain, limited)
}

// TestSplitLimitsHugeName: a single name far past the limits cannot be
// shed; the page fails instead of buffering it.
func TestSplitLimitsHugeName(t *testing.T) {
	lim := &limits{record: 256 << 10, text: 64 << 10}
	head, tail := limPage(func(w *strings.Builder) { w.WriteString(`<gmd:`) })
	rec := &recorder{src: padReader(head, 'n', 20<<20, `/>`+tail)}
	require.NoError(t, rec.prepare())
	s := splitter{rec: rec, env: &Envelope{}, fast: true, lim: lim,
		fn:      func(*Envelope, []byte) error { return nil },
		skipped: func(*Envelope, string) error { return nil }}
	err := s.start()
	require.ErrorIs(t, err, ErrUpstream)
	assert.Contains(t, err.Error(), "a single name or reference in it is longer than")
	assert.LessOrEqual(t, cap(rec.buf), 4*int(lim.record+hardSlack))
}
