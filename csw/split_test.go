package csw_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

// splitAll collects every record of doc.
func splitAll(t testing.TB, doc any) ([][]byte, *csw.Envelope, error) {
	t.Helper()
	var r io.Reader
	switch d := doc.(type) {
	case []byte:
		r = bytes.NewReader(d)
	case io.Reader:
		r = d
	}
	var recs [][]byte
	env, err := csw.SplitRecords(r, func(raw []byte) error {
		recs = append(recs, raw)
		return nil
	})
	return recs, env, err
}

func TestSplitRecordsCorpus(t *testing.T) {
	tests := []struct {
		file             string
		matched, next    int
		records          int
		hasSearchResults bool
		firstID          string
		firstRoot        string
	}{
		{"udata__geonetwork-iso19139-page-1.xml", 6, 3, 2, true, "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44", "{http://www.isotc211.org/2005/gmd}MD_Metadata"},
		{"udata__geonetwork-iso19139-page-5.xml", 6, 0, 2, true, "fr-120066022-ldd-3f4cc8c8-5c3e-4a0e-8b56-0a569a7e12f6", "{http://www.isotc211.org/2005/gmd}MD_Metadata"},
		{"pycsw__apiso_GetRecords-all.xml", 18, 6, 5, true, "3e9a8c05", "{http://www.isotc211.org/2005/gmd}MD_Metadata"},
		{"owslib__csw_dov_getrecordbyid.xml", 1, 0, 1, false, "6c39d716-aecc-4fbc-bac8-4f05a49a78d5", "{http://www.isotc211.org/2005/gmd}MD_Metadata"},
		{"owslib__inspire-getrecords-response.xml", -2, -2, 2, true, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc, err := os.ReadFile(testenv.Corpus(t, "csw", tc.file))
			require.NoError(t, err)
			recs, env, err := splitAll(t, doc)
			require.NoError(t, err)
			assert.Equal(t, tc.records, env.Records)
			require.Len(t, recs, tc.records)
			assert.Equal(t, tc.hasSearchResults, env.HasSearchResults)
			if tc.matched != -2 {
				assert.Equal(t, tc.matched, env.Matched)
				assert.Equal(t, tc.next, env.Next)
			}
			for i, raw := range recs {
				root, id := cswtest.RecordRoot(t, raw)
				if i == 0 && tc.firstID != "" {
					assert.Equal(t, tc.firstID, id)
					assert.Equal(t, tc.firstRoot, root)
				}
			}
		})
	}
}

func TestSplitRecordsCarriesNamespaces(t *testing.T) {
	doc := `<?xml version="1.0"?>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns="urn:default" xmlns:gco="urn:outer">
 <csw:SearchResults numberOfRecordsMatched="3" numberOfRecordsReturned="2" nextRecord="3" xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:MD_Metadata><gmd:fileIdentifier><gco:CharacterString>a&amp;b</gco:CharacterString></gmd:fileIdentifier></gmd:MD_Metadata>
  <gmd:MD_Metadata xmlns:gco="urn:own" xmlns=""><plain/></gmd:MD_Metadata>
 </csw:SearchResults>
</csw:GetRecordsResponse>`
	recs, env, err := splitAll(t, []byte(doc))
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, csw.Envelope{Matched: 3, Returned: 2, Next: 3, HasSearchResults: true, Records: 2, Root: "GetRecordsResponse"}, *env)

	d := etree.NewDocument()
	require.NoError(t, d.ReadFromBytes(recs[0]))
	cs := d.FindElement("//CharacterString")
	require.NotNil(t, cs)
	assert.Equal(t, "http://www.isotc211.org/2005/gco", cs.NamespaceURI(), "inner declaration wins")
	assert.Equal(t, "a&b", cs.Text())
	assert.Equal(t, "urn:default", d.Root().SelectAttrValue("xmlns", ""), "default namespace carried")

	d2 := etree.NewDocument()
	require.NoError(t, d2.ReadFromBytes(recs[1]))
	assert.Equal(t, "urn:own", d2.Root().SelectAttrValue("xmlns:gco", ""), "own declaration kept")
	assert.Equal(t, 1, strings.Count(string(recs[1]), "xmlns:gco="), "own declaration not duplicated")
	assert.Equal(t, "", d2.FindElement("//plain").NamespaceURI())
}

func TestSplitRecordsErrors(t *testing.T) {
	const head = `<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="1" numberOfRecordsReturned="1" nextRecord="0">`
	const tail = `</csw:SearchResults></csw:GetRecordsResponse>`
	deep := strings.Repeat("<a>", csw.MaxXMLDepth+1) + strings.Repeat("</a>", csw.MaxXMLDepth+1)
	tests := []struct {
		name    string
		doc     string
		class   error
		records int
		check   func(t *testing.T, err error)
	}{
		{name: "exception report ows 1.0", doc: `<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0"><ows:Exception exceptionCode="InvalidParameterValue" locator="typeNames"><ows:ExceptionText>bad
  typeNames</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`, class: csw.ErrUpstream, check: func(t *testing.T, err error) {
			var ex *csw.ExceptionError
			require.ErrorAs(t, err, &ex)
			assert.Equal(t, csw.ExceptionError{Code: "InvalidParameterValue", Locator: "typeNames", Text: "bad typeNames"}, *ex)
		}},
		{name: "exception report ows 1.1", doc: `<ExceptionReport xmlns="http://www.opengis.net/ows/1.1"><Exception exceptionCode="NoApplicableCode"/></ExceptionReport>`, class: csw.ErrUpstream, check: func(t *testing.T, err error) {
			var ex *csw.ExceptionError
			require.ErrorAs(t, err, &ex)
			assert.Equal(t, "NoApplicableCode", ex.Code)
		}},
		{name: "html", doc: `<html><body>Login</body></html>`, class: csw.ErrUpstream, check: func(t *testing.T, err error) {
			var re *csw.RootError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "html", re.Local)
		}},
		{name: "html not xml", doc: `<!DOCTYPE html><html><body><br></body></html>`, class: csw.ErrUpstream},
		{name: "entity bomb", doc: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + head + `<r>&lol2;</r>` + tail, class: csw.ErrUpstream},
		{name: "undefined entity", doc: head + `<r>&lol;</r>` + tail, class: csw.ErrUpstream},
		{name: "invalid character", doc: head + "<r>a\x01b</r>" + tail, class: csw.ErrUpstream},
		{name: "mismatched end", doc: head + "<r><x></y></r>" + tail, class: csw.ErrUpstream},
		{name: "truncated", doc: head + "<r>one</r><r>tw", class: csw.ErrTransient, records: 1},
		{name: "truncated after records", doc: head + "<r>one</r>", class: csw.ErrTransient, records: 1},
		{name: "empty", doc: "", class: csw.ErrTransient},
		{name: "deep nesting", doc: head + deep + tail, class: csw.ErrUpstream},
		{name: "bad matched", doc: strings.Replace(head, `numberOfRecordsMatched="1"`, `numberOfRecordsMatched="x"`, 1) + tail, class: csw.ErrUpstream},
		{name: "two roots", doc: head + tail + head + tail, class: csw.ErrUpstream},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, _, err := splitAll(t, []byte(tc.doc))
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.class)
			other := csw.ErrTransient
			if tc.class == csw.ErrTransient {
				other = csw.ErrUpstream
			}
			assert.NotErrorIs(t, err, other)
			assert.Len(t, recs, tc.records)
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestSplitRecordsReaderErrorAndCallbackError(t *testing.T) {
	doc, err := os.ReadFile(testenv.Corpus(t, "csw", "pycsw__apiso_GetRecords-all.xml"))
	require.NoError(t, err)
	boom := errors.New("connection reset")
	_, _, err = splitAll(t, &failingReader{doc[:len(doc)/2], boom})
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, csw.ErrUpstream)

	stop := errors.New("stop")
	n := 0
	_, err = csw.SplitRecords(bytes.NewReader(doc), func([]byte) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

func TestSplitRecordsEncoding(t *testing.T) {
	// ISO-8859-1 "é" is 0xE9.
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<csw:GetRecordByIdResponse xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"><r>caf\xe9</r></csw:GetRecordByIdResponse>")
	recs, env, err := splitAll(t, doc)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, "<r xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\">café</r>", string(recs[0]))
	assert.Equal(t, 1, env.Matched)

	bom := append([]byte("\xef\xbb\xbf"), []byte(`<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><r/></csw:GetRecordByIdResponse>`)...)
	recs, _, err = splitAll(t, bom)
	require.NoError(t, err)
	assert.Len(t, recs, 1)
}

func FuzzSplitRecords(f *testing.F) {
	// Small seeds: the corpus pages (40-140 KB) slow the mutator to a crawl;
	// they are covered by TestSplitRecordsCorpus.
	for _, seed := range []string{
		`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:g="urn:g"><csw:SearchResults numberOfRecordsMatched="2" numberOfRecordsReturned="2" nextRecord="0"><g:a/><g:b x="1">t&amp;<![CDATA[x]]></g:b></csw:SearchResults></csw:GetRecordsResponse>`,
		`<?xml version="1.0" encoding="ISO-8859-1"?><csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns="urn:d"><r a="é"><!-- c --><?pi x?></r></csw:GetRecordByIdResponse>`,
		`<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception exceptionCode="NoApplicableCode" locator="x"><ows:ExceptionText>t</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`,
		`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchStatus/><csw:SearchResults numberOfRecordsMatched="1"><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"><gmd:fileIdentifier/></gmd:MD_Metadata></csw:SearchResults><x/></csw:GetRecordsResponse>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var recs [][]byte
		env, err := csw.SplitRecords(bytes.NewReader(doc), func(raw []byte) error {
			recs = append(recs, raw)
			return nil
		})
		require.NotNil(t, env)
		if err != nil {
			assert.True(t, errors.Is(err, csw.ErrUpstream) || errors.Is(err, csw.ErrTransient), "unclassified error %v", err)
		}
		assert.Equal(t, len(recs), env.Records)
		// every delivered record is a well-formed document on its own
		for _, raw := range recs {
			_, _, err := splitAll(t, wrapByID(raw))
			assert.NoError(t, err, "record not self-contained: %q", raw)
		}
	})
}

// wrapByID puts raw inside a GetRecordByIdResponse so that SplitRecords
// re-parses it.
func wrapByID(raw []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">`)
	b.Write(raw)
	b.WriteString(`</csw:GetRecordByIdResponse>`)
	return b.Bytes()
}

var _ io.Reader = (*failingReader)(nil)
