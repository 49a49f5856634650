package corpus

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// RawEngine is the pseudo-engine name that turns on DiffOracle.Raw in
// engine lists ("reference,wazero-interp,raw").
const RawEngine = "raw"

// ClassInstrumentation is the class of a divergence between a module run
// as is on the reference machine and the same module gated and metered:
// a finding against referee's instrumentation. Signatures are
// "instrumentation/FIELD" with FIELD status, trap, results, globals or
// memory.
const ClassInstrumentation = "instrumentation"

// rawMaxSteps bounds a raw run; a raw run that hits it is not compared.
const rawMaxSteps = 50_000_000

// checkRaw runs call c of the uninstrumented module m on a fresh reference
// machine and compares it with the instrumented outcome inst (which all
// engines agreed on). Cases the instrumentation is allowed to change are
// not compared: running out of gas, and the meter's call-depth limit
// (far below the reference machine's). Float results compare NaN as equal
// to any NaN (the metering may canonicalize NaNs).
func checkRaw(m *wasm.Module, c Call, ft wasm.FuncType, inst *diff.Outcome) *Divergence {
	if inst.Failure != "" || inst.Receipt.Status == block.StatusOutOfGas || inst.Receipt.Trap == diff.TrapCallStack {
		return nil
	}
	mc := trace.NewMachine(trace.Config{MaxSteps: rawMaxSteps})
	in, err := mc.Instantiate(m)
	if err != nil {
		return nil // the instrumented run instantiated, so this is a start-function trap the meter changed; not compared
	}
	args := make([]trace.Value, len(c.Args))
	for i, a := range c.Args {
		if ft.Params[i] == wasm.I32 || ft.Params[i] == wasm.F32 {
			a &= 0xffffffff
		}
		args[i] = trace.Value{Type: ft.Params[i], Bits: a}
	}
	vals, err := mc.Invoke(in, c.Export, args)
	status, trap := block.StatusOK, ""
	var tr *trace.Trap
	switch {
	case errors.As(err, &tr) && tr.Kind == trace.TrapStepLimit:
		return nil
	case errors.As(err, &tr):
		status, trap = block.StatusTrap, diff.NormalizeTrap(tr.Kind.String())
		if trap == diff.TrapCallStack {
			return nil
		}
	case err != nil:
		return nil
	}
	div := func(field string, raw, metered any) *Divergence {
		return &Divergence{Class: ClassInstrumentation, Field: field, Signature: ClassInstrumentation + "/" + field,
			Engines: [2]string{"raw " + RawEngine, inst.Engine}, Values: [2]string{fmt.Sprint(raw), fmt.Sprint(metered)}}
	}
	if status != inst.Receipt.Status {
		return div("status", status, inst.Receipt.Status)
	}
	if trap != inst.Receipt.Trap {
		return div("trap", trap, inst.Receipt.Trap)
	}
	if status == block.StatusOK {
		if len(vals) != len(inst.Results) {
			return div("results", len(vals), len(inst.Results))
		}
		for i, v := range vals {
			got, want := v.Bits, inst.Results[i]
			switch v.Type {
			case wasm.FuncRef:
				if got != 0 {
					got = 1
				}
			case wasm.F32:
				if isNaN32(got) && isNaN32(want) {
					continue
				}
			case wasm.F64:
				if math.IsNaN(math.Float64frombits(got)) && math.IsNaN(math.Float64frombits(want)) {
					continue
				}
			}
			if got != want {
				return div("results", fmt.Sprintf("%#x", got), fmt.Sprintf("%#x", want))
			}
		}
	}
	for _, e := range m.Exports {
		switch e.Kind {
		case wasm.ExternGlobal:
			ex, _ := in.Export(e.Name)
			v := mc.GlobalValue(ex)
			got := v.Bits
			if v.Type == wasm.FuncRef && got != 0 {
				got = 1
			}
			for _, g := range inst.Globals {
				if g.Name == e.Name && g.Bits != got && !bothNaN(v.Type, got, g.Bits) {
					return div("globals", fmt.Sprintf("%s=%#x", e.Name, got), fmt.Sprintf("%s=%#x", e.Name, g.Bits))
				}
			}
		case wasm.ExternMemory:
			if e.Name != "memory" {
				continue
			}
			ex, _ := in.Export(e.Name)
			mem := mc.Memory(ex.Addr)
			buf := make([]byte, uint64(mem.Size())*65536)
			mem.Read(0, buf)
			if h := memoryHash(buf); mem.Size() != inst.MemoryPages || h != inst.MemoryHash {
				return div("memory", fmt.Sprintf("%d pages %.16x", mem.Size(), h), fmt.Sprintf("%d pages %.16x", inst.MemoryPages, inst.MemoryHash))
			}
		}
	}
	return nil
}

// memoryHash hashes memory as diff.Outcome.MemoryHash does: the number of
// 64 KiB pages (4 bytes, big-endian), then each 4 KiB page that is not all
// zero as its index (4 bytes, big-endian) and its bytes. TestRawOracle
// checks that the two agree.
func memoryHash(mem []byte) [32]byte {
	h := sha256.New()
	var u [4]byte
	binary.BigEndian.PutUint32(u[:], uint32(len(mem)/65536))
	h.Write(u[:])
	for i := 0; i+diff.DirtyPageSize <= len(mem); i += diff.DirtyPageSize {
		p := mem[i : i+diff.DirtyPageSize]
		for _, b := range p {
			if b != 0 {
				binary.BigEndian.PutUint32(u[:], uint32(i/diff.DirtyPageSize))
				h.Write(u[:])
				h.Write(p)
				break
			}
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func isNaN32(b uint64) bool { return math.IsNaN(float64(math.Float32frombits(uint32(b)))) }

func bothNaN(t wasm.ValType, a, b uint64) bool {
	switch t {
	case wasm.F32:
		return isNaN32(a) && isNaN32(b)
	case wasm.F64:
		return math.IsNaN(math.Float64frombits(a)) && math.IsNaN(math.Float64frombits(b))
	}
	return false
}
