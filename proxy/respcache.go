package proxy

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// responseCache keeps assembled response bodies keyed by what they were
// built from (view generations, format, query). Entries of an old
// generation are never hit again and age out of the LRU.
type responseCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	ll    *list.List
	items map[string]*list.Element

	hits, misses atomic.Uint64 // for /metrics
}

type cached struct {
	key         string
	body        []byte
	contentType string
	status      int
}

func newResponseCache(max int64) *responseCache {
	return &responseCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *responseCache) get(key string) (*cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	c.ll.MoveToFront(el)
	return el.Value.(*cached), true
}

func (c *responseCache) put(v *cached) {
	n := int64(len(v.body) + len(v.key))
	if n > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[v.key]; ok {
		old := el.Value.(*cached)
		c.size -= int64(len(old.body) + len(old.key))
		el.Value = v
		c.ll.MoveToFront(el)
	} else {
		c.items[v.key] = c.ll.PushFront(v)
	}
	c.size += n
	for c.size > c.max {
		el := c.ll.Back()
		old := el.Value.(*cached)
		c.ll.Remove(el)
		delete(c.items, old.key)
		c.size -= int64(len(old.body) + len(old.key))
	}
}

func (c *responseCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	c.items = map[string]*list.Element{}
	c.size = 0
}
