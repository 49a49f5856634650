package diff

import (
	"testing"

	"github.com/refereevm/referee/block"
)

func baseOutcome() Outcome {
	return Outcome{
		Engine: "a",
		Receipt: block.Receipt{
			Status: block.StatusOK, ReturnData: []byte{1, 2}, GasUsed: 100,
			Logs:   [][]byte{[]byte("log")},
			Writes: []block.Write{{Key: []byte("k"), Value: []byte("v")}},
		},
		Results: []uint64{7}, GuestGas: 60, HostGas: 40,
		Globals:     []Global{{Name: "referee_gas", Bits: 5}, {Name: "g", Bits: 1}},
		MemoryPages: 1, DirtyPages: 1,
	}
}

// TestCompare: each single change is found with its class and field, in
// the documented order, and its signature has no index, value or engine.
func TestCompare(t *testing.T) {
	tests := []struct {
		name      string
		change    func(o *Outcome)
		class     string
		field     string
		signature string
	}{
		{"crash", func(o *Outcome) { *o = Outcome{Failure: ClassEngineCrash} }, ClassEngineCrash, "failure", "engine-crash/failure"},
		{"timeout", func(o *Outcome) { *o = Outcome{Failure: ClassEngineTimeout} }, ClassEngineTimeout, "failure", "engine-timeout/failure"},
		{"rejected", func(o *Outcome) { *o = Outcome{Failure: ClassRejected} }, ClassRejected, "failure", "rejected-by-engine/failure"},
		{"trap vs ok", func(o *Outcome) {
			o.Receipt.Status, o.Receipt.Trap, o.TrapOp = block.StatusTrap, "unreachable", "unreachable"
		}, ClassTrapVsOK, "status", "trap-vs-ok/status/unreachable"},
		{"return data", func(o *Outcome) { o.Receipt.ReturnData = []byte{1, 3} }, ClassValue, "returnData", "value-mismatch/returnData"},
		{"result", func(o *Outcome) { o.Results = []uint64{8} }, ClassValue, "results[0]", "value-mismatch/results"},
		{"write value", func(o *Outcome) { o.Receipt.Writes = []block.Write{{Key: []byte("k"), Value: []byte("w")}} }, ClassStorage, "writes[0].value", "storage/writes.value"},
		{"write key", func(o *Outcome) { o.Receipt.Writes = []block.Write{{Key: []byte("j"), Value: []byte("v")}} }, ClassStorage, "writes[0].key", "storage/writes.key"},
		{"write count", func(o *Outcome) { o.Receipt.Writes = nil }, ClassStorage, "writes", "storage/writes"},
		{"log", func(o *Outcome) { o.Receipt.Logs = [][]byte{[]byte("lag")} }, ClassLogs, "logs[0]", "logs/logs"},
		{"gas used", func(o *Outcome) { o.Receipt.GasUsed++ }, ClassGas, "gasUsed", "gas/gasUsed"},
		{"guest gas", func(o *Outcome) { o.GuestGas++; o.HostGas-- }, ClassGas, "guestGas", "gas/guestGas"},
		{"global", func(o *Outcome) { o.Globals = []Global{{Name: "referee_gas", Bits: 5}, {Name: "g", Bits: 2}} }, ClassGlobals, "globals.g", "globals/globals"},
		{"memory size", func(o *Outcome) { o.MemoryPages = 2 }, ClassMemory, "memory.pages", "memory/memory.pages"},
		{"memory hash", func(o *Outcome) { o.MemoryHash[3] = 1 }, ClassMemory, "memory.hash", "memory/memory.hash"},
		{"dirty pages", func(o *Outcome) { o.DirtyPages = 0 }, ClassMemory, "memory.dirtyPages", "memory/memory.dirtyPages"},
		// Order: the status decides before the return data, the return
		// data before gas.
		{"status first", func(o *Outcome) {
			o.Receipt.Status, o.Receipt.ReturnData, o.Receipt.GasUsed = block.StatusAbort, nil, 1
		}, ClassTrapVsOK, "status", "trap-vs-ok/status"},
		{"value before gas", func(o *Outcome) { o.Receipt.ReturnData, o.Receipt.GasUsed = nil, 1 }, ClassValue, "returnData", "value-mismatch/returnData"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := baseOutcome(), baseOutcome()
			b.Engine, b.Time, b.Detail = "b", 12345, "different detail"
			if d := Compare(&a, &b); d != nil {
				t.Fatalf("equal outcomes differ: %+v", d)
			}
			tt.change(&b)
			d := Compare(&a, &b)
			if d == nil {
				t.Fatal("no difference")
			}
			if d.Class != tt.class || d.Field != tt.field {
				t.Errorf("class %s field %s, want %s %s", d.Class, d.Field, tt.class, tt.field)
			}
			if s := Signature(d, &a, &b); s != tt.signature {
				t.Errorf("signature %q, want %q", s, tt.signature)
			}
			// Symmetric in class and field.
			if r := Compare(&b, &a); r == nil || r.Class != d.Class || r.Field != d.Field {
				t.Errorf("reversed: %+v", r)
			}
		})
	}
}

func TestTrapKinds(t *testing.T) {
	a, b := baseOutcome(), baseOutcome()
	a.Receipt = block.Receipt{Status: block.StatusTrap, Trap: "unreachable"}
	b.Receipt = block.Receipt{Status: block.StatusTrap, Trap: "integer divide by zero"}
	a.TrapOp = "i32.div_s"
	if d := Compare(&a, &b); d == nil || d.Class != ClassTrapKind || Signature(d, &a, &b) != "trap-kind/trap/i32.div_s" {
		t.Errorf("trap kinds: %+v", d)
	}
	b.Receipt = block.Receipt{Status: block.StatusOutOfGas}
	if d := Compare(&a, &b); d == nil || d.Class != ClassTrapKind || d.Field != "status" {
		t.Errorf("trap vs out-of-gas: %+v", d)
	}
	a.Receipt = block.Receipt{Status: block.StatusAbort, AbortCode: 1}
	b.Receipt = block.Receipt{Status: block.StatusAbort, AbortCode: 2}
	if d := Compare(&a, &b); d == nil || d.Class != ClassTrapKind || d.Field != "abortCode" {
		t.Errorf("abort codes: %+v", d)
	}
	for in, want := range map[string]string{
		"invalid table access": TrapTableAccess, "undefined element": TrapTableAccess,
		"uninitialized element": TrapTableAccess, "stack overflow": TrapCallStack,
		"integer overflow": "integer overflow",
	} {
		if got := NormalizeTrap(in); got != want {
			t.Errorf("NormalizeTrap(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDirtyPages(t *testing.T) {
	page := func(n int, b byte) []byte {
		out := make([]byte, n*DirtyPageSize)
		for i := range out {
			out[i] = b
		}
		return out
	}
	grown := append(page(1, 0), page(2, 0)...)
	grown[2*DirtyPageSize+5] = 9
	tests := []struct {
		name          string
		before, after []byte
		want          uint32
	}{
		{"none", page(2, 0), page(2, 0), 0},
		{"all", page(2, 0), page(2, 1), 2},
		{"grown zero", page(1, 0), page(3, 0), 0},
		{"grown dirty", page(1, 0), grown, 1},
		{"no memory", nil, nil, 0},
	}
	for _, tt := range tests {
		if got := dirtyPages(tt.before, tt.after); got != tt.want {
			t.Errorf("%s: %d dirty pages, want %d", tt.name, got, tt.want)
		}
	}
}

// dirtyPages counts the pages of after that differ from before.
func dirtyPages(before, after []byte) uint32 {
	_, n := scanMemory(sliceMem(after), snapshot(sliceMem(before)))
	return n
}
