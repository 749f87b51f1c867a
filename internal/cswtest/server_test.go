package cswtest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/csw"
	"github.com/passerelle/passerelle/internal/cswtest"
)

type answer struct {
	status int
	env    *csw.Envelope
	recs   int
	err    error
}

func get(t *testing.T, base string, q url.Values) answer {
	t.Helper()
	resp, err := http.Get(base + "?" + q.Encode())
	require.NoError(t, err)
	return read(t, resp)
}

func post(t *testing.T, base, body string) answer {
	t.Helper()
	resp, err := http.Post(base, "application/xml", strings.NewReader(body))
	require.NoError(t, err)
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode}
	a.env, a.err = csw.SplitRecords(bytes.NewReader(b), func([]byte) error { a.recs++; return nil })
	return a
}

func TestServerRouting(t *testing.T) {
	srv := cswtest.NewServer(t, cswtest.Generate(12), cswtest.Options{MaxRecordsCap: 4})
	kvp := func(pairs ...string) url.Values {
		q := url.Values{}
		for i := 0; i+1 < len(pairs); i += 2 {
			q.Set(pairs[i], pairs[i+1])
		}
		return q
	}
	tests := []struct {
		name                string
		a                   answer
		matched, recs, next int
		exCode              string
	}{
		{name: "kvp names case-insensitive", a: get(t, srv.URL, kvp("SERVICE", "CSW", "REQUEST", "GetRecords", "resultType", "results", "ELEMENTSETNAME", "full", "startposition", "3", "MaxRecords", "2")), matched: 12, recs: 2, next: 5},
		{name: "server cap", a: get(t, srv.URL, kvp("request", "GetRecords", "resultType", "results", "elementSetName", "full", "maxRecords", "50")), matched: 12, recs: 4, next: 5},
		{name: "default maxRecords then cap", a: get(t, srv.URL, kvp("request", "GetRecords", "resultType", "results", "elementSetName", "full", "startPosition", "10")), matched: 12, recs: 3, next: 0},
		{name: "past the end", a: get(t, srv.URL, kvp("request", "GetRecords", "resultType", "results", "elementSetName", "full", "startPosition", "13")), matched: 12, recs: 0, next: 0},
		{name: "hits", a: get(t, srv.URL, kvp("request", "GetRecords", "resultType", "hits", "elementSetName", "full")), matched: 12, recs: 0, next: 5},
		{name: "missing ElementSetName", a: get(t, srv.URL, kvp("request", "GetRecords", "resultType", "results")), exCode: "MissingParameterValue"},
		{name: "missing request", a: get(t, srv.URL, kvp("service", "CSW")), exCode: "MissingParameterValue"},
		{name: "bad startPosition", a: get(t, srv.URL, kvp("request", "GetRecords", "elementSetName", "full", "startPosition", "x")), exCode: "InvalidParameterValue"},
		{name: "by id kvp", a: get(t, srv.URL, kvp("request", "GetRecordById", "id", "passerelle-test-000003,passerelle-test-000007,nope")), matched: 2, recs: 2},
		{name: "post", a: post(t, srv.URL, `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" resultType="results" startPosition="2" maxRecords="3"><csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName></csw:Query></csw:GetRecords>`), matched: 12, recs: 3, next: 5},
		{name: "post by id", a: post(t, srv.URL, `<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:Id>passerelle-test-000012</csw:Id></csw:GetRecordById>`), matched: 1, recs: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, http.StatusOK, tc.a.status)
			if tc.exCode != "" {
				var ex *csw.ExceptionError
				require.ErrorAs(t, tc.a.err, &ex)
				assert.Equal(t, tc.exCode, ex.Code)
				return
			}
			require.NoError(t, tc.a.err)
			assert.Equal(t, tc.matched, tc.a.env.Matched)
			assert.Equal(t, tc.recs, tc.a.recs)
			if tc.a.env.HasSearchResults {
				assert.Equal(t, tc.next, tc.a.env.Next)
				want := tc.recs
				if tc.name == "hits" {
					want = 4 // pycsw's habit: min(matched, maxRecords) although none is returned
				}
				assert.Equal(t, want, tc.a.env.Returned)
			}
		})
	}
}

func TestServerNextRecordLoopAndNoPost(t *testing.T) {
	srv := cswtest.NewServer(t, cswtest.Generate(5), cswtest.Options{NextRecordLoop: true, NoPost: true})
	a := get(t, srv.URL, url.Values{"request": {"GetRecords"}, "resultType": {"results"}, "elementSetName": {"full"}, "startPosition": {"4"}})
	require.NoError(t, a.err)
	assert.Equal(t, 1, a.env.Next, "pycsw's nextRecord=1 at the end")
	assert.Equal(t, 2, a.recs)
	resp, err := http.Post(srv.URL, "application/xml", strings.NewReader("<x/>"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestGenerateDistinct(t *testing.T) {
	recs := cswtest.Generate(300)
	seen := map[string]bool{}
	for _, r := range recs {
		assert.False(t, seen[string(r)], "records are distinct")
		seen[string(r)] = true
	}
	// each is a well-formed gmd:MD_Metadata document on its own
	var doc bytes.Buffer
	doc.WriteString(`<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">`)
	doc.Write(recs[17])
	doc.WriteString(`</csw:GetRecordByIdResponse>`)
	n := 0
	_, err := csw.SplitRecords(&doc, func(raw []byte) error {
		n++
		assert.True(t, bytes.HasPrefix(raw, []byte("<gmd:MD_Metadata ")))
		assert.Contains(t, string(raw), "passerelle-test-000018")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
