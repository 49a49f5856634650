package diff

import (
	"errors"
	"testing"
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
