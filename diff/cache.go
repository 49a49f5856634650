package diff

import "sync"

// maxCachedModules bounds the compiled modules an engine keeps: a block
// has a few contracts, but a fuzzing campaign feeds engines thousands of
// distinct modules.
const maxCachedModules = 256

// codeCache keeps compiled modules by code hash, evicting the oldest past
// its size. An evicted module is closed once no run uses it.
type codeCache[T any] struct {
	mu      sync.Mutex
	entries map[[32]byte]*cacheEntry[T] // lookups only
	order   [][32]byte                  // insertion order, oldest first
	close   func(T)
}

type cacheEntry[T any] struct {
	v       T
	users   int
	evicted bool
}

func newCodeCache[T any](close func(T)) *codeCache[T] {
	return &codeCache[T]{entries: map[[32]byte]*cacheEntry[T]{}, close: close}
}

// get returns the module for hash h, building it (outside the lock) if
// needed, and a release function to call when the run is done with it.
func (c *codeCache[T]) get(h [32]byte, build func() (T, error)) (T, func(), error) {
	c.mu.Lock()
	e, ok := c.entries[h]
	if ok {
		e.users++
		c.mu.Unlock()
		return e.v, c.releaser(e), nil
	}
	c.mu.Unlock()
	v, err := build()
	if err != nil {
		var zero T
		return zero, func() {}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[h]; ok { // built twice at once: keep the first
		c.close(v)
		old.users++
		return old.v, c.releaser(old), nil
	}
	e = &cacheEntry[T]{v: v, users: 1}
	c.entries[h] = e
	c.order = append(c.order, h)
	for len(c.order) > maxCachedModules {
		oldest := c.entries[c.order[0]]
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
		oldest.evicted = true
		if oldest.users == 0 {
			c.close(oldest.v)
		}
	}
	return v, c.releaser(e), nil
}

func (c *codeCache[T]) releaser(e *cacheEntry[T]) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			e.users--
			if e.evicted && e.users == 0 {
				c.close(e.v)
			}
		})
	}
}

// closeAll closes every cached module (the engine is being closed).
func (c *codeCache[T]) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.order {
		c.close(c.entries[h].v)
	}
	c.entries, c.order = map[[32]byte]*cacheEntry[T]{}, nil
}
