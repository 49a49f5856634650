package diff

import (
	"strings"
	"time"

	"github.com/refereevm/referee/block"
	"github.com/refereevm/referee/meter"
	"github.com/refereevm/referee/wasm"
)

// Outcome is everything observable about one run on one engine. Every field
// except Engine, Detail and Time is compared (compare.go); Failure set means
// the engine produced no outcome and the other fields are empty.
type Outcome struct {
	Engine  string `json:"engine"`
	Failure string `json:"failure,omitempty"` // "" or a failure class
	Detail  string `json:"detail,omitempty"`  // for people: the failure or the engine's trap message

	// Receipt is the transaction's receipt: status, trap kind, abort code,
	// return data, gas used (guest + host), logs and storage writes.
	Receipt  block.Receipt `json:"receipt"`
	Results  []uint64      `json:"results,omitempty"` // the entry's result bits (i32/f32 in the low 32 bits)
	GuestGas uint64        `json:"guestGas"`          // gas counted by the instrumentation
	HostGas  uint64        `json:"hostGas"`           // gas charged by the host ABI
	Exit     uint32        `json:"exit"`              // referee_exit after the run
	Globals  []Global      `json:"globals,omitempty"` // exported globals, in export order
	// Memory: the exported "memory" after the run (absent: all zero).
	MemoryPages uint32   `json:"memoryPages"`
	MemoryHash  [32]byte `json:"memoryHash"` // memoryHash: sha256 of its non-zero pages and their indexes
	DirtyPages  uint32   `json:"dirtyPages"` // 4 KiB pages whose bytes differ from right after instantiation
	// TrapOp is the opcode that trapped, where the engine knows it (the
	// reference machine does); used in signatures, not compared.
	TrapOp string        `json:"trapOp,omitempty"`
	Time   time.Duration `json:"time"`
}

// Global is one exported global's value.
type Global struct {
	Name string `json:"name"`
	Bits uint64 `json:"bits"` // i32/f32 in the low 32 bits
}

// DirtyPageSize is the granularity of DirtyPages.
const DirtyPageSize = 4096

// instanceView is what an adapter exposes of an instance after a run.
type instanceView interface {
	// global returns the raw bits of the exported global name.
	global(name string) (uint64, bool)
	// memory returns the exported "memory" (an empty one if none). It may
	// be a view; it is only read before the instance is dropped.
	memory() pagedMemory
}

// pagedMemory is a linear memory seen as 4 KiB pages.
type pagedMemory interface {
	// numPages is the size in 4 KiB pages.
	numPages() int
	// page returns page i (0 <= i < numPages), or nil if it is all zero.
	// The last page of a memory is never short: sizes are multiples of 64 KiB.
	page(i int) []byte
}

// sliceMem is a memory held as one byte slice (wazero, wasmtime).
type sliceMem []byte

func (m sliceMem) numPages() int { return len(m) / DirtyPageSize }

func (m sliceMem) page(i int) []byte { return m[i*DirtyPageSize : (i+1)*DirtyPageSize] }

// finish computes the outcome of a run from what the engine observed:
// engineTrap is "" if the entry returned, else the guest trap's normalised
// spec text (a host trap is known to call, whatever the engine says);
// initMem is the memory right after instantiation.
//
// Gas: guest gas is limit − referee_gas, or the whole limit on the meter's
// out-of-gas, or limit − host gas after a guest trap (so gas used is the
// limit: docs/metering.md charges a trapped transaction its whole limit);
// then GasPerDirtyPage per dirty page is added. A host trap leaves
// referee_gas exact (the meter writes it back before every call).
func finish(req *Request, call *block.Call, trapped bool, engineTrap string, results []uint64, inst instanceView, initMem memSnapshot) Outcome {
	var o Outcome
	left, _ := inst.global(meter.ExportGas)
	exit, _ := inst.global(meter.ExportExit)
	o.Exit = uint32(exit)
	limit := req.Tx.GasLimit
	if left <= limit {
		o.GuestGas = limit - left
	} else {
		o.GuestGas = 0 // the meter never adds gas; a larger value shows in Globals
	}
	o.HostGas = call.HostGas()
	if d, ok := inst.(digestedView); ok { // an engine outside the process: it hashed and counted
		o.MemoryPages, o.MemoryHash, o.DirtyPages = d.digest()
	} else {
		mem := inst.memory()
		o.MemoryPages = uint32(mem.numPages() * DirtyPageSize / 65536)
		o.MemoryHash, o.DirtyPages = scanMemory(mem, initMem)
	}
	charged := false // the whole limit is charged already
	if trapped {
		switch {
		case o.Exit == meter.ExitOutOfGas:
			engineTrap, o.GuestGas = block.TrapOutOfGas, limit
		case o.Exit == meter.ExitCallDepth:
			engineTrap = TrapCallStack
		case o.Exit == meter.ExitBulkLimit:
			engineTrap = block.TrapLimit
		case engineTrap == "" && call.Trap() == nil:
			engineTrap = "unreachable"
		}
		if call.Trap() == nil && o.Exit != meter.ExitOutOfGas {
			// A guest trap: referee_gas holds the meter's last write-back,
			// the same on every engine but not a count (docs/metering.md);
			// the transaction is charged its whole limit.
			o.GuestGas, charged = limit-min(o.HostGas, limit), true
		}
		charged = charged || o.Exit == meter.ExitOutOfGas
	} else {
		engineTrap = ""
		o.Results = observableResults(req, results)
	}
	if !charged && o.GuestGas < limit {
		o.GuestGas += min(uint64(o.DirtyPages)*GasPerDirtyPage, limit+1-o.GuestGas) // past the limit: out-of-gas
	}
	o.Receipt = call.Receipt(engineTrap, o.GuestGas)
	for _, name := range req.Prog.Globals {
		v, _ := inst.global(name)
		if t, _ := req.Prog.Module.ExportedGlobalType(name); t == wasm.FuncRef {
			v = funcRefObservable(v)
		}
		o.Globals = append(o.Globals, Global{Name: name, Bits: v})
	}
	return o
}

// A function reference is not observable bits: the reference machine holds
// a store address plus one, wazero a Go pointer, wasmtime an opaque handle.
// What every engine can say is whether it is null, so an outcome carries a
// funcref as 0 (null) or 1 (any function), in results and exported globals
// alike. (The function index would say more, but wazero does not map its
// pointer back to an index.) An externref is the host value the caller
// passed in, the same bits on every engine, and is kept.
func funcRefObservable(bits uint64) uint64 {
	if bits != 0 {
		return 1
	}
	return 0
}

// observableResults reduces the entry's funcref results to null or not.
func observableResults(req *Request, results []uint64) []uint64 {
	if ft, ok := req.Prog.Module.ExportedFuncType(req.Tx.Entry); ok {
		for i := range results {
			if i < len(ft.Results) && ft.Results[i] == wasm.FuncRef {
				results[i] = funcRefObservable(results[i])
			}
		}
	}
	return results
}

// GasPerDirtyPage is charged after each transaction per 4 KiB page of the
// exported memory whose bytes differ from right after instantiation
// (docs/block-format.md, "Writing an engine adapter"): the same price per
// byte as memory.grow's 1,000 gas per 64 KiB page. It counts as guest gas.
const GasPerDirtyPage = 64

// Normalised guest trap kinds: the spec's assert_trap texts, except that the
// three table traps are one kind (wazero reports all three as "invalid table
// access", wasmtime tells two of them apart; a receipt must not depend on the
// engine), and a native stack overflow is the meter's call-depth kind.
const (
	TrapCallStack   = "call stack exhausted"
	TrapTableAccess = "out of bounds table access"
)

// NormalizeTrap maps an engine's trap text to the normalised kind.
func NormalizeTrap(s string) string {
	s = strings.TrimSpace(s)
	switch s {
	case "undefined element", "uninitialized element", "invalid table access",
		"out of bounds table access", "indirect call to null":
		return TrapTableAccess
	case "stack overflow", "call stack exhausted", "value stack exhausted":
		return TrapCallStack
	}
	return s
}
