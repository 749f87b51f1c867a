package dcat

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompactKeepsOutput: a compacted fragment writes the same documents
// and pages as the original, and encodes to the same bytes.
func TestCompactKeepsOutput(t *testing.T) {
	for _, rec := range loadCorpus(t)[:10] {
		f, err := Map(Input{Record: rec.rec}, testOptions)
		require.NoError(t, err)
		b1, err := f.MarshalBinary()
		require.NoError(t, err)
		var doc1, page1 bytes.Buffer
		require.NoError(t, WriteDataset(&doc1, NTriples, f, nil))
		p := &Page{Options: testOptions, Fragments: []*Fragment{f}, Total: 1, Page: 1, PageSize: 50, BaseURL: "https://p.example.org/c/catalog"}
		require.NoError(t, WritePage(&page1, NTriples, p))

		f.Compact()
		f.Compact() // idempotent
		assert.Nil(t, f.d.Triples, "decoded triples dropped")
		b2, err := f.MarshalBinary()
		require.NoError(t, err)
		assert.Equal(t, b1, b2)
		var doc2, page2 bytes.Buffer
		require.NoError(t, WriteDataset(&doc2, NTriples, f, nil))
		require.NoError(t, WritePage(&page2, NTriples, p))
		assert.Equal(t, doc1.String(), doc2.String())
		assert.Equal(t, page1.String(), page2.String())
		assert.Positive(t, f.Len())
	}
}
