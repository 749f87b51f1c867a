package scalegen_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/passerelle/passerelle/internal/scalegen"
	"github.com/passerelle/passerelle/internal/testenv"
	"github.com/passerelle/passerelle/iso"
)

// TestRecordsVary checks generated records parse, keep a real size and
// differ in identifiers, titles, producers and boxes.
func TestRecordsVary(t *testing.T) {
	g, err := scalegen.New(testenv.Corpus(t))
	require.NoError(t, err)
	ids, idents, titles, producers, boxes := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}, map[[4]float64]bool{}
	const n = 400
	for i := range n {
		raw := g.Record(i)
		assert.Greater(t, len(raw), 10_000, "record %d keeps a real size", i)
		rec, err := iso.Parse(raw)
		require.NoError(t, err, "record %d", i)
		ids[rec.FileIdentifier] = true
		idents[rec.ResourceIdentifier()] = true
		titles[rec.Title.Value] = true
		if names := rec.ProducerNames(); len(names) > 0 {
			producers[names[0]] = true
		}
		for _, b := range rec.BoundingBoxes {
			boxes[[4]float64{b.West, b.East, b.South, b.North}] = true
		}
	}
	assert.Equal(t, n, len(ids), "fileIdentifiers are distinct")
	assert.Equal(t, n, len(idents), "resource identifiers are distinct")
	assert.Equal(t, n, len(titles), "titles are distinct")
	assert.Greater(t, len(producers), 100, "producers vary")
	assert.Greater(t, len(boxes), n/2, "boxes vary")
}
