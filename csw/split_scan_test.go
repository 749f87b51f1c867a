package csw

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/testenv"
)

type splitOutcome struct {
	recs  [][]byte
	env   *Envelope
	err   error
	class string
}

func splitBoth(doc []byte) (fast, slow splitOutcome) {
	run := func(f bool) splitOutcome {
		var o splitOutcome
		o.env, o.err = splitWith(bytes.NewReader(doc), func(_ *Envelope, raw []byte) error {
			o.recs = append(o.recs, raw)
			return nil
		}, f)
		switch {
		case o.err == nil:
			o.class = "ok"
		case errors.Is(o.err, ErrTransient):
			o.class = "transient"
		case errors.Is(o.err, ErrUpstream):
			o.class = "upstream"
		default:
			o.class = "other"
		}
		return o
	}
	return run(true), run(false)
}

// tolerated lists differences accepted by design: the scanner does not
// check non-ASCII name characters against the XML name tables, and it
// refuses a directive without parsing its quoted parts (both fail).
func tolerated(fast, slow splitOutcome) bool {
	if slow.err != nil && strings.Contains(slow.err.Error(), "invalid XML name") {
		return true
	}
	return fast.err != nil && slow.err != nil && strings.Contains(fast.err.Error(), "directive")
}

func TestScannerMatchesDecoderOnCorpus(t *testing.T) {
	dir := testenv.Corpus(t, "csw")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		doc, err := os.ReadFile(dir + "/" + e.Name())
		require.NoError(t, err)
		fast, slow := splitBoth(doc)
		assert.Equal(t, slow.class, fast.class, e.Name())
		assert.Equal(t, slow.recs, fast.recs, e.Name())
		assert.Equal(t, slow.env, fast.env, e.Name())
	}
}

func TestScannerErrors(t *testing.T) {
	const head = `<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="1">`
	const tail = `</csw:SearchResults></csw:GetRecordsResponse>`
	for name, rec := range map[string]string{
		"mismatch":         `<r><a></b></r>`,
		"unknown entity":   `<r>&nbsp;</r>`,
		"bad char ref":     `<r>&#1;</r>`,
		"bad hex ref":      `<r>&#xZZ;</r>`,
		"control char":     "<r>\x01</r>",
		"bad utf8":         "<r>\xff</r>",
		"lt in attr":       `<r a="<"/>`,
		"unquoted attr":    `<r><a b=c/></r>`,
		"attr without val": `<r><a b/></r>`,
		"doctype inside":   `<r><!DOCTYPE x></r>`,
		"double dash":      `<r><!-- a -- b --></r>`,
		"bad name":         `<r><1a/></r>`,
		"end junk":         `<r></r x>`,
		"cdata bad char":   "<r><![CDATA[\x02]]></r>",
	} {
		t.Run(name, func(t *testing.T) {
			fast, slow := splitBoth([]byte(head + rec + tail))
			require.Error(t, fast.err)
			assert.ErrorIs(t, fast.err, ErrUpstream)
			assert.Equal(t, slow.class, fast.class, "slow: %v / fast: %v", slow.err, fast.err)
		})
	}
	for name, rec := range map[string]string{
		"ok entities":  `<r a="&lt;&#x41;&#65;">&amp;&quot;&apos;&gt;<![CDATA[<x>]]><!-- c --><?pi d?></r>`,
		"ok utf8 name": `<r><é a:b-c.d="1"/></r>`,
		"ok nested":    `<r><a><b/><c x='1' y="2">t</c></a></r>`,
	} {
		t.Run(name, func(t *testing.T) {
			fast, slow := splitBoth([]byte(head + rec + tail))
			require.NoError(t, fast.err)
			require.NoError(t, slow.err)
			assert.Equal(t, slow.recs, fast.recs)
		})
	}
}

func FuzzScannerMatchesDecoder(f *testing.F) {
	f.Add([]byte(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:g="urn:g"><csw:SearchResults numberOfRecordsMatched="2"><g:a x="1"><b>t&amp;<![CDATA[x]]><!--c--><?p q?></b></g:a><g:b/></csw:SearchResults></csw:GetRecordsResponse>`))
	f.Add([]byte(`<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><r a='&#x41;'><s>é</s></r></csw:GetRecordByIdResponse>`))
	// Both must accept the same documents with the same records; when both
	// fail, the class may differ for documents both malformed and cut short
	// (the decoder validates text after reading it, the scanner while).
	f.Fuzz(func(t *testing.T, doc []byte) {
		fast, slow := splitBoth(doc)
		if (fast.err == nil) != (slow.err == nil) && !tolerated(fast, slow) {
			t.Fatalf("decoder: %v\nscanner: %v", slow.err, fast.err)
		}
		if slow.err == nil && fast.err == nil {
			require.Equal(t, slow.recs, fast.recs)
			require.Equal(t, slow.env, fast.env)
		}
	})
}
