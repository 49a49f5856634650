package softfloat

import (
	"sync"
	"testing"
)

// FuzzSoftFloat: any op of the table on any operands, the contract against
// numeric. Seeded with a few edge classes of every op; run with
//
//	go test ./softfloat -run '^$' -fuzz FuzzSoftFloat
func FuzzSoftFloat(f *testing.F) {
	for i, o := range ops {
		ea := edgesOf(o.in[0])
		for k := 0; k < len(ea); k += 17 {
			b := uint64(0)
			if o.binary() {
				eb := edgesOf(o.in[1])
				b = eb[(k*7)%len(eb)].v
			}
			f.Add(uint8(i), ea[k].v, b)
		}
	}
	var (
		mu sync.Mutex
		h  *harness
	)
	f.Fuzz(func(t *testing.T, i uint8, a, b uint64) {
		o := ops[int(i)%len(ops)]
		a, b = o.in[0].mask(a), o.in[1].mask(b)
		mu.Lock()
		defer mu.Unlock()
		if h == nil {
			h = newHarness(t)
		}
		want := o.ref(a, b)
		bad, got, err := h.check(o, []record{makeRecord(a, b, want)})
		if err != nil {
			t.Fatal(err)
		}
		if bad >= 0 {
			t.Fatalf("%s: got %v, want %v (numeric)", o.describe(a, b), got, want)
		}
	})
}

// mask cuts x to the width of the domain (0 for none).
func (d domain) mask(x uint64) uint64 {
	switch d {
	case none:
		return 0
	case dF32, dI32:
		return x & 0xffffffff
	}
	return x
}
