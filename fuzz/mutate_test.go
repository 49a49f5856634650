package fuzz

import (
	"bytes"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// TestMutateValid mutates generated modules many times in a chain and
// requires every result to validate, the input to stay untouched, the
// mutation to be deterministic, and most mutations to change the module.
func TestMutateValid(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 40
	}
	changed, total := 0, 0
	for seed := uint64(0); seed < uint64(n); seed++ {
		m := GenerateSeed(seed, DiffConfig())
		s := NewSeedSource(seed ^ 0xabcdef)
		cur := m
		for step := 0; step < 8; step++ {
			before := wasm.Encode(cur)
			next := Mutate(cur, s)
			if err := wasm.Validate(next, wasm.DefaultLimits()); err != nil {
				t.Fatalf("seed %d step %d: mutated module invalid: %v", seed, step, err)
			}
			if !bytes.Equal(wasm.Encode(cur), before) {
				t.Fatalf("seed %d step %d: Mutate modified its input", seed, step)
			}
			again := Mutate(cur, NewSeedSource(seed^0xabcdef^uint64(step)<<32))
			again2 := Mutate(cur, NewSeedSource(seed^0xabcdef^uint64(step)<<32))
			if !bytes.Equal(wasm.Encode(again), wasm.Encode(again2)) {
				t.Fatalf("seed %d step %d: same source, different mutations", seed, step)
			}
			total++
			if !bytes.Equal(wasm.Encode(next), before) {
				changed++
			}
			cur = next
		}
	}
	if changed*10 < total*9 {
		t.Fatalf("only %d of %d mutations changed the module", changed, total)
	}
	t.Logf("%d of %d mutations changed the module", changed, total)
}

// TestMutateKinds checks that each kind of mutation happens and yields
// valid modules often enough to be useful (invalid candidates are what
// Mutate's fallback is for).
func TestMutateKinds(t *testing.T) {
	names := []string{"const", "swap", "insert", "delete"}
	for kind := 0; kind < numMutations; kind++ {
		t.Run(names[kind], func(t *testing.T) {
			valid, tried := 0, 0
			for seed := uint64(0); seed < 200; seed++ {
				m := GenerateSeed(seed, DiffConfig())
				c := MutateKind(m, NewSeedSource(seed), kind)
				if c == nil {
					continue
				}
				tried++
				if wasm.Validate(c, wasm.DefaultLimits()) == nil && !bytes.Equal(wasm.Encode(c), wasm.Encode(m)) {
					valid++
				}
			}
			t.Logf("%s: %d valid of %d candidates", names[kind], valid, tried)
			if valid < tried/10 || valid == 0 {
				t.Fatalf("%s: only %d valid changes of %d candidates", names[kind], valid, tried)
			}
		})
	}
}

func TestSwapClassKeepsSignature(t *testing.T) {
	for _, table := range [][]opSig{unaryOps, binaryOps} {
		for _, o := range table {
			for _, p := range swapClass(o.op) {
				q := sigOf(p)
				if q.in != o.in || q.out != o.out || q.guard != o.guard {
					t.Errorf("%v swaps with %v of another signature", o.op, p)
				}
			}
		}
	}
	if c := swapClass(wasm.OpI32TruncF32S); c != nil {
		t.Errorf("a trapping truncation has a swap class %v", c)
	}
}

func sigOf(op wasm.Opcode) opSig {
	for _, table := range [][]opSig{unaryOps, binaryOps} {
		for _, o := range table {
			if o.op == op {
				return o
			}
		}
	}
	return opSig{}
}
