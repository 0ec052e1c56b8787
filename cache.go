package feed

import (
	"container/list"
	"sync"
)

// Bounds of the cache of variants rendered on request. A client looping over
// random parameters fills the cache and then only evicts its own entries:
// memory stays bounded whatever the URLs.
const (
	defaultCacheEntries = 256
	defaultCacheBytes   = 64 << 20
)

// variantCache keeps rendered resources by canonical URL: pinned ones for
// good, others in least-recently-used order within a count and a byte
// bound. Concurrent requests for the same new variant render it once.
type variantCache struct {
	mu         sync.Mutex
	pinned     map[string]*Resource
	entries    map[string]*list.Element // of *cacheEntry
	order      *list.List               // most recently used first
	bytes      int
	maxEntries int
	maxBytes   int
}

type cacheEntry struct {
	key   string
	res   *Resource
	err   error
	size  int
	ready chan struct{} // closed once res or err is set
}

func newVariantCache(maxEntries, maxBytes int) *variantCache {
	return &variantCache{
		pinned:     make(map[string]*Resource),
		entries:    make(map[string]*list.Element),
		order:      list.New(),
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
	}
}

// pin keeps a resource for the life of the cache; only Build calls it,
// before the cache is shared.
func (c *variantCache) pin(key string, res *Resource) { c.pinned[key] = res }

func (c *variantCache) get(key string, render func() (*Resource, error)) (*Resource, error) {
	if res, ok := c.pinned[key]; ok {
		return res, nil
	}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		c.mu.Unlock()
		<-e.ready
		return e.res, e.err
	}
	e := &cacheEntry{key: key, ready: make(chan struct{})}
	c.entries[key] = c.order.PushFront(e)
	c.mu.Unlock()

	e.res, e.err = render()
	close(e.ready)

	c.mu.Lock()
	defer c.mu.Unlock()
	if e.err != nil {
		c.remove(key)
		return nil, e.err
	}
	if _, still := c.entries[key]; still {
		e.size = e.res.size()
		c.bytes += e.size
	}
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.order.Back().Value.(*cacheEntry).key)
	}
	return e.res, nil
}

func (c *variantCache) remove(key string) {
	el, ok := c.entries[key]
	if !ok {
		return
	}
	e := el.Value.(*cacheEntry)
	c.bytes -= e.size
	c.order.Remove(el)
	delete(c.entries, key)
}

// stats reports how many unpinned resources the cache holds and their size.
func (c *variantCache) stats() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len(), c.bytes
}
