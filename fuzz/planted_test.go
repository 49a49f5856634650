package fuzz

import (
	"bytes"
	"context"
	"testing"

	"github.com/refereevm/referee/wasm"
)

// plant returns a copy of m in which every from instruction is replaced by
// to (both single-byte opcodes of the same type), and how many it replaced.
func plant(m *wasm.Module, from, to wasm.Opcode) (*wasm.Module, int) {
	mm := *m
	mm.Codes = append([]wasm.Code(nil), m.Codes...)
	n := 0
	for i, c := range mm.Codes {
		body := bytes.Clone(c.Body)
		for pc := uint32(0); pc < uint32(len(body)); {
			in, next, err := wasm.ReadInstr(body, pc)
			if err != nil {
				break
			}
			if in.Op == from {
				body[pc] = byte(to)
				n++
			}
			pc = next
		}
		mm.Codes[i].Body = body
	}
	return &mm, n
}

// TestPlantedBug measures how well the differential oracle sees a wrong
// engine: the engine under test (wazero-interp) runs a module in which one
// operator was swapped for a same-typed one, the reference runs the
// original. For each swap it reports, over the modules that contain the
// operator, the share in which a divergence shows (results, traps, globals
// or memory), and requires that some do.
func TestPlantedBug(t *testing.T) {
	n := envN(300)
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	engs := engines(ctx)
	defer func() {
		for _, e := range engs {
			e.close(ctx)
		}
	}()
	interp := engs[:1]
	total := 0
	for _, p := range []struct{ from, to wasm.Opcode }{
		{wasm.OpI32Rotl, wasm.OpI32Rotr},
		{wasm.OpI64RemS, wasm.OpI64RemU},
		{wasm.OpI32ShrS, wasm.OpI32ShrU},
		{wasm.OpF64Min, wasm.OpF64Max},
		{wasm.OpI32Store8, wasm.OpI32Store16},
		{wasm.OpI64Extend8S, wasm.OpI64Extend16S},
	} {
		t.Run(p.from.String(), func(t *testing.T) {
			var contain, seen int
			first := -1
			for seed := uint64(0); seed < n; seed++ {
				m := GenerateSeed(seed, ObserveConfig())
				if knownBug(m) != "" {
					continue
				}
				bad, k := plant(m, p.from, p.to)
				if k == 0 {
					continue
				}
				contain++
				calls := planCalls(m, NewSeedSource(seed))
				ref, err := runReference(m, calls)
				if err != nil {
					t.Fatal(err)
				}
				got, err := interp[0].run(ctx, bad, wasm.Encode(bad), calls)
				if err != nil {
					t.Fatal(err)
				}
				if diffRuns(calls, ref, got) != "" {
					seen++
					if first < 0 {
						first = int(seed)
					}
				}
			}
			t.Logf("%s planted as %s: seen in %d of %d modules that contain it (%.0f%%), first at seed %d",
				p.from, p.to, seen, contain, 100*float64(seen)/float64(max(contain, 1)), first)
			total += seen
			if seen == 0 && !testing.Short() {
				t.Errorf("planted %s -> %s never seen", p.from, p.to)
			}
		})
	}
	if total == 0 {
		t.Error("no planted bug was seen: the oracle is blind")
	}
}
