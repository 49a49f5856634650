package diff

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/refereevm/referee/block"
)

// TestCodeCache: modules are built once per hash, evicted oldest first past
// the bound, and closed only once no run holds them.
func TestCodeCache(t *testing.T) {
	closed := map[int]int{}
	c := newCodeCache(func(v int) { closed[v]++ })
	builds := 0
	get := func(i int) (int, func()) {
		v, release, err := c.get([32]byte{byte(i), byte(i >> 8)}, func() (int, error) { builds++; return i, nil })
		if err != nil || v != i {
			t.Fatalf("get %d: %d %v", i, v, err)
		}
		return v, release
	}
	_, held := get(0) // held by a run across the evictions below
	for i := 0; i < maxCachedModules+10; i++ {
		_, release := get(i)
		release()
		release() // idempotent
	}
	if builds != maxCachedModules+10 {
		t.Errorf("%d builds, want %d", builds, maxCachedModules+10)
	}
	if closed[0] != 0 {
		t.Errorf("module 0 closed while held")
	}
	for i := 1; i < 10; i++ {
		if closed[i] != 1 {
			t.Errorf("module %d closed %d times, want 1", i, closed[i])
		}
	}
	held()
	if closed[0] != 1 {
		t.Errorf("module 0 closed %d times after release, want 1", closed[0])
	}
	if _, release := get(maxCachedModules + 5); builds != maxCachedModules+10 {
		t.Errorf("a cached module was rebuilt")
	} else {
		release()
	}
	_, _, err := c.get([32]byte{0xff, 0xff, 0xff}, func() (int, error) { return 0, errors.New("no") })
	if err == nil {
		t.Error("build error lost")
	}
	c.closeAll()
	if closed[maxCachedModules+9] != 1 {
		t.Error("closeAll left a module open")
	}
}

func key(i int) cacheKey { return cacheKey{engine: 1, hash: [32]byte{byte(i), byte(i >> 8)}} }

// TestModuleCacheLRU: the least recently used entry goes first, by entry
// count and by bytes, and a used entry survives newer ones.
func TestModuleCacheLRU(t *testing.T) {
	c := NewModuleCache(3, 0)
	closed := map[int]bool{}
	put := func(i int) {
		_, release, err := c.get(key(i), "e", func() (any, int64, error) { return i, 10, nil }, func(v any) { closed[v.(int)] = true })
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	put(0)
	put(1)
	put(2)
	put(0) // a hit: 0 is now the most recent
	put(3) // evicts 1, the least recently used
	if !closed[1] || closed[0] || closed[2] {
		t.Fatalf("closed %v, want only 1", closed)
	}
	s := c.Stats()
	if s.Entries != 3 || len(s.ByEngine) != 1 || s.ByEngine[0].Hits != 1 || s.ByEngine[0].Misses != 4 || s.ByEngine[0].Evictions != 1 {
		t.Fatalf("stats %+v", s)
	}

	// The byte bound: compiled entries weigh compiledWeight per byte of
	// the instrumented code Gate saw.
	b := NewModuleCache(0, 3*compiledWeight*100)
	for i := 0; i < 5; i++ {
		h := [32]byte{byte(i)}
		b.mu.Lock()
		b.codeSize[h] = codeSize{bytes: 100, refs: 1}
		b.mu.Unlock()
		_, release, _ := b.get(cacheKey{engine: 1, hash: h}, "e", func() (any, int64, error) { return i, 0, nil }, func(any) {})
		release()
	}
	if s := b.Stats(); s.Entries != 3 || s.Bytes != 3*compiledWeight*100 {
		t.Fatalf("byte-bounded cache holds %d entries, %d bytes; want 3, %d", s.Entries, s.Bytes, 3*compiledWeight*100)
	}
}

// TestModuleCacheSingleFlight: runs asking for the same module at once
// build it once and all get the same value (wazero does not survive a
// duplicate compilation being closed while another run instantiates it).
func TestModuleCacheSingleFlight(t *testing.T) {
	c := NewModuleCache(10, 0)
	var builds atomic.Int32
	gate := make(chan struct{})
	const n = 16
	vals := make(chan any, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, release, err := c.get(key(7), "e", func() (any, int64, error) {
				builds.Add(1)
				<-gate
				return new(int), 1, nil
			}, func(any) {})
			if err != nil {
				t.Error(err)
			}
			defer release()
			vals <- v
		}()
	}
	time.Sleep(10 * time.Millisecond) // let the runs pile up on the flight
	close(gate)
	wg.Wait()
	close(vals)
	var first any
	for v := range vals {
		if first == nil {
			first = v
		} else if v != first {
			t.Fatal("two runs got different modules")
		}
	}
	if builds.Load() != 1 {
		t.Fatalf("%d builds, want 1", builds.Load())
	}
	// A failed build is reported to every waiter and not kept.
	_, _, err := c.get(key(8), "e", func() (any, int64, error) { return nil, 0, errors.New("no") }, func(any) {})
	if err == nil {
		t.Fatal("build error lost")
	}
	if _, ok := c.items[key(8)]; ok {
		t.Fatal("a failed build was cached")
	}
}

// TestModuleCacheAcrossBlocks: engines attached to one cache gate and
// compile each contract once however many blocks use it, and give the
// same verdicts as fresh engines.
func TestModuleCacheAcrossBlocks(t *testing.T) {
	mc := NewModuleCache(64, 64<<20)
	compiles := map[string]int{}
	var mu sync.Mutex
	mc.OnCompile = func(engine string, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			t.Errorf("%s: compile: %v", engine, err)
		}
		compiles[engine]++
	}
	es := testEngines(t)
	compilers := 0
	for _, e := range es {
		ok, err := mc.Attach(e)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			compilers++
		}
	}
	if compilers < 2 {
		t.Fatalf("%d engines attached, want the wazero pair at least", compilers)
	}
	o := DefaultOptions()
	o.Cache = mc
	for round := 0; round < 3; round++ {
		for _, ex := range exampleCommitments {
			rep, err := CheckBlock(context.Background(), loadExample(t, ex.block), es, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := block.FormatHex(rep.Commitment[:]); rep.Divergence != nil || got != ex.want {
				t.Fatalf("round %d %s: commitment %s divergence %+v, want %s", round, ex.block, got, rep.Divergence, ex.want)
			}
		}
	}
	contracts := map[[32]byte]bool{}
	for _, ex := range exampleCommitments {
		for _, c := range loadExample(t, ex.block).Pre.Contracts {
			contracts[sha256.Sum256(c.Code)] = true
		}
	}
	for name, n := range compiles {
		if n != len(contracts) {
			t.Errorf("%s compiled %d modules over 3 rounds of the examples, want %d (one per distinct contract)", name, n, len(contracts))
		}
	}
	s := mc.Stats()
	for _, ec := range s.ByEngine {
		if ec.Engine == GateEngine && ec.Misses != uint64(len(contracts)) {
			t.Errorf("gate: %d misses, want %d", ec.Misses, len(contracts))
		}
		if ec.Hits == 0 {
			t.Errorf("%s: no cache hit over 3 rounds", ec.Engine)
		}
	}
	// Closing an engine drops its modules from the shared cache.
	before := mc.Stats().Entries
	CloseEngines(es[1:2])
	if after := mc.Stats().Entries; after != before-len(contracts) {
		t.Errorf("closing %s left %d of %d entries, want %d", es[1].Name(), after, before, before-len(contracts))
	}
}

// TestModuleCacheGate: the prepared module is kept per code and gate
// configuration.
func TestModuleCacheGate(t *testing.T) {
	mc := NewModuleCache(8, 0)
	code := loadExample(t, "token.json").Pre.Contracts[0].Code
	o := DefaultGateOptions()
	p1, err := mc.Gate(code, o)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := mc.Gate(code, o)
	if p1 != p2 {
		t.Fatal("the same code and options gated twice")
	}
	o.Meter.CanonicalizeNaN = !o.Meter.CanonicalizeNaN
	p3, err := mc.Gate(code, o)
	if err != nil {
		t.Fatal(err)
	}
	if p3 == p1 {
		t.Fatal("another metering configuration got the cached module")
	}
	if _, err := mc.Gate([]byte("\x00asm\x02"), o); err == nil {
		t.Fatal("a refused module passed")
	}
	if s := mc.Stats(); s.Entries != 2 {
		t.Fatalf("%d entries, want 2 (refusals are not kept)", s.Entries)
	}
}
