package diff

import (
	"container/list"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/refereevm/referee/block"
)

// maxCachedModules bounds the compiled modules an engine keeps on its own
// (without a shared ModuleCache): a block has a few contracts, but a
// fuzzing campaign feeds engines thousands of distinct modules.
const maxCachedModules = 256

// compiledWeight is the weight, per byte of instrumented Wasm, that a
// compiled module counts against a ModuleCache's byte bound, and
// preparedWeight that of a prepared one per byte of original plus
// instrumented Wasm. Neither wazero nor wasmtime reports the size of its
// compiled code; the factors are the heap growth measured per module for
// the example contracts (docs/RATIONALE.md, "Why is the module cache
// bounded by weighted Wasm bytes?").
const (
	compiledWeight = 32
	preparedWeight = 4
)

// ModuleCache keeps what checking a block builds from a contract's code,
// across blocks: the gatekeeper's Prepared module, keyed by the code's
// sha256 and the gate configuration (limits and metering), and each
// engine's compiled module, keyed by the engine instance (so its name and
// configuration) and the instrumented code's hash (which the code, the
// limits and the metering options determine). A contract that appears in
// a thousand blocks is gated, instrumented and compiled once per engine.
//
// It is bounded by entries and by weighted bytes, and evicts the least
// recently used entry first. A compiled module that a run still holds is
// closed when that run releases it. Concurrent requests for the same key
// build it once: the others wait for the first (so two runs never compile
// the same module at once, which wazero does not survive: closing a
// duplicate closes the module the other run instantiates).
//
// Engines keep their own small cache unless Attach binds them to a shared
// one; a long-running checker (referee serve, referee.Checker) attaches
// its long-lived engines to one ModuleCache.
type ModuleCache struct {
	// OnCompile, if set, is called after each compilation a cache miss
	// causes, with the engine's name, the wall-clock time and the error.
	// Set it before the first use.
	OnCompile func(engine string, d time.Duration, err error)

	mu         sync.Mutex
	maxEntries int
	maxBytes   int64
	lru        *list.List // of *cacheItem, most recently used first
	items      map[cacheKey]*list.Element
	flights    map[cacheKey]*flight
	bytes      int64
	codeSize   map[[32]byte]codeSize // by instrumented hash, of the prepared modules held
	counts     map[string]*CacheCounts
	nextID     int
}

// CacheCounts are one engine's cache events ("gate" for prepared modules).
type CacheCounts struct {
	Hits, Misses, Evictions uint64
}

// CacheStats is a snapshot of a ModuleCache.
type CacheStats struct {
	Entries  int
	Bytes    int64 // weighted, as the byte bound counts them
	ByEngine []EngineCacheCounts
}

// EngineCacheCounts are the counts of one engine, in CacheStats.
type EngineCacheCounts struct {
	Engine string
	CacheCounts
}

// GateEngine is the engine name under which CacheStats counts prepared
// modules.
const GateEngine = "gate"

type cacheKey struct {
	engine int      // the engine instance; 0 for a prepared module
	hash   [32]byte // prepared: sha256 of the original code; compiled: Prepared.Hash
	config [32]byte // prepared: the gate configuration's fingerprint
}

type cacheItem struct {
	key     cacheKey
	name    string // engine name, or GateEngine
	v       any
	weight  int64
	close   func(any) // nil for prepared modules
	users   int
	evicted bool
}

// codeSize is the size of an instrumented binary and how many prepared
// entries (under different gate configurations) produced it.
type codeSize struct {
	bytes int64
	refs  int
}

type flight struct {
	done chan struct{}
	item *cacheItem
	err  error
}

// NewModuleCache returns a cache of at most maxEntries entries and
// maxBytes weighted bytes (0: no bound of that kind).
func NewModuleCache(maxEntries int, maxBytes int64) *ModuleCache {
	return &ModuleCache{maxEntries: maxEntries, maxBytes: maxBytes, lru: list.New(),
		items: map[cacheKey]*list.Element{}, flights: map[cacheKey]*flight{}, codeSize: map[[32]byte]codeSize{}, counts: map[string]*CacheCounts{}}
}

// Attach makes engine e compile through c: e's compiled modules are then
// cached, bounded and counted by c. It reports whether e compiles at all
// (the reference machine and the isolated engines do not). Attach an
// engine before its first run.
func (c *ModuleCache) Attach(e Engine) (bool, error) {
	a, ok := e.(interface{ attachCache(*ModuleCache) error })
	if !ok {
		return false, nil
	}
	return true, a.attachCache(c)
}

func (w *Wazero) attachCache(c *ModuleCache) error { return w.cache.attach(c, w.Name()) }

// Gate is Gate(code, o) kept across calls: the same code under the same
// limits and metering options is gated and instrumented once. Refusals are
// not kept (gating a refused module again costs its decoding only). A nil
// cache gates every time.
func (c *ModuleCache) Gate(code []byte, o GateOptions) (*Prepared, error) {
	if c == nil {
		return Gate(code, o)
	}
	key := cacheKey{hash: sha256.Sum256(code), config: gateFingerprint(o)}
	it, release, err := c.get(key, GateEngine, func() (any, int64, error) {
		p, err := Gate(code, o)
		if err != nil {
			return nil, 0, err
		}
		return p, preparedWeight * int64(len(code)+len(p.Code)), nil
	}, nil)
	if err != nil {
		return nil, err
	}
	release()
	return it.(*Prepared), nil
}

// GateBlock is GateBlock through the cache: each contract's prepared
// module is kept for the next block.
func (c *ModuleCache) GateBlock(b *block.Block, o GateOptions) (map[string]*Prepared, error) {
	return gateBlock(b, o, c)
}

// gateFingerprint hashes the parts of o that decide the Prepared module:
// the limits and the metering options (plain values, so their JSON is
// canonical). The compile budget decides only a failure class.
func gateFingerprint(o GateOptions) [32]byte {
	b, err := json.Marshal(struct {
		Limits any
		Meter  any
	}{o.Limits, o.Meter})
	if err != nil {
		panic("BUG: diff: gate options do not marshal: " + err.Error())
	}
	return sha256.Sum256(b)
}

// Stats returns the entry count, the weighted bytes and the counts by
// engine name, in name order.
func (c *ModuleCache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := CacheStats{Entries: c.lru.Len(), Bytes: c.bytes}
	for name, n := range c.counts {
		s.ByEngine = append(s.ByEngine, EngineCacheCounts{Engine: name, CacheCounts: *n})
	}
	sort.Slice(s.ByEngine, func(i, j int) bool { return s.ByEngine[i].Engine < s.ByEngine[j].Engine })
	return s
}

func (c *ModuleCache) count(name string) *CacheCounts {
	n := c.counts[name]
	if n == nil {
		n = &CacheCounts{}
		c.counts[name] = n
	}
	return n
}

// get returns the value for key, building it once if needed, and the
// function that releases it. close, if not nil, closes the value once it
// is evicted and released.
func (c *ModuleCache) get(key cacheKey, name string, build func() (any, int64, error), closeFn func(any)) (any, func(), error) {
	c.mu.Lock()
	for {
		if el, ok := c.items[key]; ok {
			it := el.Value.(*cacheItem)
			c.lru.MoveToFront(el)
			it.users++
			c.count(name).Hits++
			c.mu.Unlock()
			return it.v, c.releaser(it), nil
		}
		f, ok := c.flights[key]
		if !ok {
			break
		}
		c.mu.Unlock()
		<-f.done // another run builds it: wait, then look again
		if f.err != nil {
			return nil, func() {}, f.err
		}
		c.mu.Lock()
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.count(name).Misses++
	c.mu.Unlock()

	v, weight, err := c.build(name, build, closeFn != nil)

	c.mu.Lock()
	delete(c.flights, key)
	f.err = err
	if err != nil {
		c.mu.Unlock()
		close(f.done)
		return nil, func() {}, err
	}
	if closeFn != nil { // a compiled module weighs by its instrumented code, if Gate saw it
		weight = compiledWeight * c.codeSize[key.hash].bytes
	} else if p, ok := v.(*Prepared); ok {
		cs := c.codeSize[p.Hash]
		c.codeSize[p.Hash] = codeSize{bytes: int64(len(p.Code)), refs: cs.refs + 1}
	}
	it := &cacheItem{key: key, name: name, v: v, weight: weight, close: closeFn, users: 1}
	c.items[key] = c.lru.PushFront(it)
	c.bytes += weight
	evicted := c.evictLocked()
	c.mu.Unlock()
	close(f.done)
	closeItems(evicted)
	return v, c.releaser(it), nil
}

// build runs one build, timing it for OnCompile when it is a compilation,
// and turns a panic into an engine-crash failure.
func (c *ModuleCache) build(name string, build func() (any, int64, error), compile bool) (v any, weight int64, err error) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			v, weight, err = nil, 0, failf(ClassEngineCrash, "%s: compile panicked: %v", name, r)
		}
		if compile && c.OnCompile != nil {
			c.OnCompile(name, time.Since(start), err)
		}
	}()
	return build()
}

// evictLocked drops least recently used entries past the bounds (always
// keeping the newest) and returns those to close now.
func (c *ModuleCache) evictLocked() []*cacheItem {
	var out []*cacheItem
	for c.lru.Len() > 1 && ((c.maxEntries > 0 && c.lru.Len() > c.maxEntries) || (c.maxBytes > 0 && c.bytes > c.maxBytes)) {
		it := c.lru.Remove(c.lru.Back()).(*cacheItem)
		if c.dropLocked(it) {
			out = append(out, it)
		}
	}
	return out
}

// dropLocked removes it from the index and reports whether it must be
// closed now (it holds a resource and no run uses it).
func (c *ModuleCache) dropLocked(it *cacheItem) bool {
	delete(c.items, it.key)
	if p, ok := it.v.(*Prepared); ok {
		if cs := c.codeSize[p.Hash]; cs.refs > 1 {
			c.codeSize[p.Hash] = codeSize{bytes: cs.bytes, refs: cs.refs - 1}
		} else {
			delete(c.codeSize, p.Hash)
		}
	}
	c.bytes -= it.weight
	it.evicted = true
	c.count(it.name).Evictions++
	return it.close != nil && it.users == 0
}

func closeItems(items []*cacheItem) {
	for _, it := range items {
		it.close(it.v)
	}
}

func (c *ModuleCache) releaser(it *cacheItem) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			it.users--
			now := it.evicted && it.users == 0 && it.close != nil
			c.mu.Unlock()
			if now {
				it.close(it.v)
			}
		})
	}
}

// dropEngine removes every compiled module of engine instance id (the
// engine is being closed); those in use are closed when released.
func (c *ModuleCache) dropEngine(id int) {
	c.mu.Lock()
	var out []*cacheItem
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if it := el.Value.(*cacheItem); it.key.engine == id {
			c.lru.Remove(el)
			if c.dropLocked(it) {
				out = append(out, it)
			}
		}
		el = next
	}
	c.mu.Unlock()
	closeItems(out)
}

func (c *ModuleCache) newID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	return c.nextID
}

// codeCache is an engine's view of its compiled modules: by default a
// private ModuleCache of maxCachedModules entries, or, once attached, its
// own key space in a shared one.
type codeCache[T any] struct {
	mu     sync.Mutex
	mc     *ModuleCache
	id     int
	name   string
	used   bool
	closeT func(T)
}

func newCodeCache[T any](close func(T)) *codeCache[T] {
	mc := NewModuleCache(maxCachedModules, 0)
	return &codeCache[T]{mc: mc, id: mc.newID(), closeT: close}
}

func (c *codeCache[T]) target() (*ModuleCache, int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used = true
	return c.mc, c.id, c.name
}

// attach moves the engine's modules to the shared cache m.
func (c *codeCache[T]) attach(m *ModuleCache, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used {
		return fmt.Errorf("%s: attach a module cache before the engine's first run", name)
	}
	c.mc, c.id, c.name = m, m.newID(), name
	return nil
}

// get returns the module for hash h, building it (outside the lock, once
// however many runs ask at the same time) if needed, and a release
// function to call when the run is done with it.
func (c *codeCache[T]) get(h [32]byte, build func() (T, error)) (T, func(), error) {
	mc, id, name := c.target()
	v, release, err := mc.get(cacheKey{engine: id, hash: h}, name, func() (any, int64, error) {
		v, err := build()
		return v, 0, err
	}, func(v any) { c.closeT(v.(T)) })
	if err != nil {
		var zero T
		return zero, release, err
	}
	return v.(T), release, nil
}

// closeAll closes every cached module (the engine is being closed).
func (c *codeCache[T]) closeAll() {
	mc, id, _ := c.target()
	mc.dropEngine(id)
}
