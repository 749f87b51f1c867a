package served

import (
	"container/list"
	"sync"

	"github.com/passerelle/passerelle/dcat"
)

// DefaultFragmentCacheBytes bounds the full DCAT fragments a State keeps in
// memory (by their encoded size); the rest are read from the store, or
// mapped, when a page needs them.
const DefaultFragmentCacheBytes = 64 << 20

// fragmentCache is an LRU of full fragments bounded by bytes. Keys are the
// records (a new generation has new records, so an old generation's
// fragments are never hit again and age out).
type fragmentCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    *list.List
	items map[*Record]*list.Element
}

type fragmentEntry struct {
	r    *Record
	f    *dcat.Fragment
	size int64
}

func newFragmentCache(max int64) *fragmentCache {
	return &fragmentCache{max: max, ll: list.New(), items: map[*Record]*list.Element{}}
}

func (c *fragmentCache) get(r *Record) (*dcat.Fragment, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[r]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*fragmentEntry).f, true
}

func (c *fragmentCache) put(r *Record, f *dcat.Fragment, size int64) {
	if size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[r]; ok {
		old := el.Value.(*fragmentEntry)
		c.size += size - old.size
		old.f, old.size = f, size
		c.ll.MoveToFront(el)
	} else {
		c.items[r] = c.ll.PushFront(&fragmentEntry{r: r, f: f, size: size})
		c.size += size
	}
	for c.size > c.max {
		el := c.ll.Back()
		old := el.Value.(*fragmentEntry)
		c.ll.Remove(el)
		delete(c.items, old.r)
		c.size -= old.size
	}
}

func (c *fragmentCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.items = map[*Record]*list.Element{}
	c.size = 0
}

// bytes is what the cache holds, for tests and metrics.
func (c *fragmentCache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
