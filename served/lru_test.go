package served

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/passerelle/passerelle/dcat"
)

// TestFragmentCacheBounded: the fragment cache never holds more than its
// byte budget, evicts the least recently used first, and refuses an entry
// larger than a quarter of the budget.
func TestFragmentCacheBounded(t *testing.T) {
	c := newFragmentCache(1000)
	recs := make([]*Record, 10)
	for i := range recs {
		recs[i] = &Record{}
		c.put(recs[i], &dcat.Fragment{}, 200)
		assert.LessOrEqual(t, c.bytes(), int64(1000))
		if i == 3 {
			_, ok := c.get(recs[0]) // recs[0] becomes the most recent
			assert.True(t, ok)
		}
	}
	assert.Equal(t, int64(1000), c.bytes())
	for i, want := range map[int]bool{0: false, 1: false, 5: true, 9: true} {
		_, ok := c.get(recs[i])
		assert.Equal(t, want, ok, "record %d", i)
	}
	c.put(&Record{}, &dcat.Fragment{}, 251)
	assert.Equal(t, int64(1000), c.bytes(), "an entry above a quarter of the budget is not kept")
	c.clear()
	assert.Zero(t, c.bytes())
}
