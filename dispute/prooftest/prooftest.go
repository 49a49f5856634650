// Package prooftest holds the proof-test fixtures that dispute's tests and
// the on-chain verifier's differential tests both run: the cases of
// dispute/testdata/proof_ops.wat and the host functions of proof_host.wat.
// It exists because the on-chain tests live in another module (onchain/),
// which cannot import dispute's _test files, and the two must prove the
// same cases: one added here is checked in Go and in the EVM.
//
// Test code only: nothing in referee's execution path may import it.
package prooftest

import (
	"errors"

	"github.com/refereevm/referee/trace"
	"github.com/refereevm/referee/wasm"
)

// OpsCase is a run of an export of proof_ops.wasm: every one of its steps
// is proven, and it must end as Trap says (TrapNone: it must finish).
type OpsCase struct {
	Name   string
	Cfg    trace.Config
	Export string
	Args   []trace.Value
	Trap   trace.TrapKind
}

// OpsCases are the runs of proof_ops.wasm: memory, bulk memory, tables,
// control, calls, floats, and every trap kind, the machine's limits among
// them.
func OpsCases() []OpsCase {
	return []OpsCase{
		{Name: "mem", Export: "mem"},
		{Name: "bulk", Export: "bulk"},
		{Name: "tables", Export: "tables"},
		{Name: "control", Export: "control", Args: []trace.Value{trace.I32(23)}},
		{Name: "deep", Export: "deep", Args: []trace.Value{trace.I32(30)}},
		{Name: "br-table-return/0", Export: "br-table-return", Args: []trace.Value{trace.I32(0)}},
		{Name: "br-table-return/1", Export: "br-table-return", Args: []trace.Value{trace.I32(1)}},
		{Name: "br-table-return/9", Export: "br-table-return", Args: []trace.Value{trace.I32(9)}},
		{Name: "floats", Export: "floats"},
		{Name: "bad-trunc", Export: "bad-trunc", Trap: trace.TrapInvalidConversion},
		{Name: "unreachable", Export: "unreachable", Trap: trace.TrapUnreachable},
		{Name: "div0", Export: "div0", Trap: trace.TrapIntegerDivideByZero},
		{Name: "ovf", Export: "ovf", Trap: trace.TrapIntegerOverflow},
		{Name: "oob-load", Export: "oob-load", Trap: trace.TrapOutOfBoundsMemory},
		{Name: "oob-store", Export: "oob-store", Trap: trace.TrapOutOfBoundsMemory},
		{Name: "oob-fill", Export: "oob-fill", Trap: trace.TrapOutOfBoundsMemory},
		{Name: "oob-copy", Export: "oob-copy", Trap: trace.TrapOutOfBoundsMemory},
		{Name: "oob-init", Export: "oob-init", Trap: trace.TrapOutOfBoundsMemory},
		{Name: "oob-table", Export: "oob-table", Trap: trace.TrapOutOfBoundsTable},
		{Name: "oob-table-fill", Export: "oob-table-fill", Trap: trace.TrapOutOfBoundsTable},
		{Name: "undefined-elem", Export: "undefined-elem", Trap: trace.TrapUndefinedElement},
		{Name: "uninit-elem", Export: "uninit-elem", Trap: trace.TrapUninitializedElement},
		{Name: "mismatch", Export: "mismatch", Trap: trace.TrapIndirectCallTypeMismatch},
		{Name: "call-depth", Cfg: trace.Config{MaxCallDepth: 8}, Export: "deep", Args: []trace.Value{trace.I32(30)}, Trap: trace.TrapCallStackExhausted},
		{Name: "stack-values", Cfg: trace.Config{MaxStackValues: 100}, Export: "deep", Args: []trace.Value{trace.I32(200)}, Trap: trace.TrapValueStackExhausted},
		{Name: "fuel", Cfg: trace.Config{MaxSteps: 40}, Export: "spin", Trap: trace.TrapStepLimit},
	}
}

// RegisterHost registers on m, which has spectest registered (its memory
// is store address 0), the host functions proof_host.wasm imports as
// "host", and returns them by name: get writes 100 bytes across the module
// memory's page end, 8 more bytes in it and 4 in spectest's memory, and
// returns its argument + 1; fail writes 4 bytes and fails; pair returns
// x+1 and 7. inst is the instance of proof_host.wasm, whose exported
// memory get and fail write (called only once it is instantiated).
func RegisterHost(m *trace.Machine, inst func() *trace.Instance) map[string]trace.Extern {
	mem := func() *trace.Memory {
		ex, _ := inst().Export("memory")
		return m.Memory(ex.Addr)
	}
	i32 := []wasm.ValType{wasm.I32}
	get := m.AddHostFunc(wasm.FuncType{Params: i32, Results: i32}, func(_ *trace.Machine, args []trace.Value) ([]trace.Value, error) {
		a := uint32(args[0].Bits)
		b := make([]byte, 100)
		for i := range b {
			b[i] = byte(a) + byte(i)
		}
		if !mem().Write(uint64(a), b) {
			return nil, &trace.Trap{Kind: trace.TrapOutOfBoundsMemory}
		}
		mem().Write(16, []byte("eightbyt"))
		m.Memory(0).Write(40, []byte{1, 2, 3, 4})
		return []trace.Value{trace.I32(a + 1)}, nil
	})
	fail := m.AddHostFunc(wasm.FuncType{}, func(*trace.Machine, []trace.Value) ([]trace.Value, error) {
		mem().Write(0, []byte{9, 9, 9, 9})
		return nil, errors.New("fail was called")
	})
	pair := m.AddHostFunc(wasm.FuncType{Params: []wasm.ValType{wasm.I64}, Results: []wasm.ValType{wasm.I64, wasm.I32}}, func(_ *trace.Machine, args []trace.Value) ([]trace.Value, error) {
		return []trace.Value{trace.I64(args[0].Bits + 1), trace.I32(7)}, nil
	})
	m.Register("host", m.HostModule([]string{"get", "fail", "pair"}, []trace.Extern{get, fail, pair}))
	return map[string]trace.Extern{"get": get, "fail": fail, "pair": pair}
}
