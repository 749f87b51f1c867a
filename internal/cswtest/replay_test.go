package cswtest_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/cswtest"
	"github.com/passerelle/passerelle/internal/testenv"
)

func corpusPages(t *testing.T, names ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(testenv.Corpus(t, "csw", n))
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// TestPageStartOwnPages: the start of every page the server answers is
// found again from the page alone.
func TestPageStartOwnPages(t *testing.T) {
	srv := cswtest.NewServer(t, cswtest.Generate(23), cswtest.Options{})
	for _, start := range []int{1, 6, 11, 21, 22, 23} {
		resp, err := http.Get(srv.URL + "?" + url.Values{"request": {"GetRecords"}, "resultType": {"results"}, "elementSetName": {"full"},
			"startPosition": {strconv.Itoa(start)}, "maxRecords": {"5"}}.Encode())
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		got, matched, err := cswtest.PageStart(b)
		require.NoError(t, err)
		assert.Equal(t, start, got)
		assert.Equal(t, 23, matched)
	}
}

func TestReplayPages(t *testing.T) {
	gn := corpusPages(t, "udata__geonetwork-iso19139-page-5.xml", "udata__geonetwork-iso19139-page-1.xml", "udata__geonetwork-iso19139-page-3.xml")
	pages, err := cswtest.ReplayPages(gn)
	require.NoError(t, err)
	assert.Len(t, pages, 3)
	assert.Equal(t, gn[1], pages[1])
	assert.Equal(t, gn[2], pages[3])
	assert.Equal(t, gn[0], pages[5])

	caps := corpusPages(t, "pycsw__apiso_GetCapabilities.xml")[0]
	other := corpusPages(t, "pycsw__apiso_GetRecords-all.xml")[0]
	empty := []byte(`<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:SearchResults numberOfRecordsMatched="6" numberOfRecordsReturned="0" nextRecord="0"/></csw:GetRecordsResponse>`)
	for name, in := range map[string][][]byte{
		"not a page":          {gn[1], caps},
		"two result sets":     {gn[1], other},
		"same start twice":    {gn[1], gn[1]},
		"no first page":       {gn[0], gn[2]},
		"page without record": {gn[1], empty},
	} {
		_, err := cswtest.ReplayPages(in)
		assert.Error(t, err, name)
	}
	_, _, err = cswtest.PageStart(caps)
	assert.ErrorIs(t, err, cswtest.ErrNotPage)
}
