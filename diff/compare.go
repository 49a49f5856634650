package diff

import (
	"bytes"
	"fmt"
)

// Divergence classes (docs/divergence.md). The failure classes
// ClassEngineCrash, ClassEngineTimeout and ClassRejected are in engine.go.
const (
	ClassValue    = "value-mismatch" // return data or result values differ
	ClassTrapVsOK = "trap-vs-ok"     // one engine's run ended ok, the other's did not
	ClassTrapKind = "trap-kind"      // both failed, differently (status, trap kind or abort code)
	ClassGas      = "gas"            // gas used differs
	ClassMemory   = "memory"         // final memory differs (size, hash or dirty pages)
	ClassStorage  = "storage"        // storage writes differ
	ClassLogs     = "logs"           // logs differ
	ClassGlobals  = "globals"        // an exported global differs
)

// Difference is the first field in which two outcomes differ.
type Difference struct {
	Class string
	Field string // e.g. "status", "returnData", "writes[1].value", "gasUsed", "memory.hash"
	A, B  string // the two values, for people
}

// Compare returns the first difference between a and b in this fixed
// order, or nil if they agree: failure, status, trap, abort code, results,
// return data, storage writes, logs, gas (used, then guest and host),
// exported globals, memory (pages, hash, dirty pages). Engine, Detail,
// TrapOp and Time are never compared.
func Compare(a, b *Outcome) *Difference {
	d := func(class, field string, x, y any) *Difference {
		return &Difference{Class: class, Field: field, A: fmt.Sprint(x), B: fmt.Sprint(y)}
	}
	if a.Failure != "" || b.Failure != "" {
		class := a.Failure
		if class == "" {
			class = b.Failure
		}
		return d(class, "failure", failText(a), failText(b))
	}
	ra, rb := &a.Receipt, &b.Receipt
	if ra.Status != rb.Status {
		class := ClassTrapKind
		if ra.Status == "ok" || rb.Status == "ok" {
			class = ClassTrapVsOK
		}
		return d(class, "status", ra.Status, rb.Status)
	}
	if ra.Trap != rb.Trap {
		return d(ClassTrapKind, "trap", ra.Trap, rb.Trap)
	}
	if ra.AbortCode != rb.AbortCode {
		return d(ClassTrapKind, "abortCode", ra.AbortCode, rb.AbortCode)
	}
	if len(a.Results) != len(b.Results) {
		return d(ClassValue, "results", len(a.Results), len(b.Results))
	}
	for i := range a.Results {
		if a.Results[i] != b.Results[i] {
			return d(ClassValue, fmt.Sprintf("results[%d]", i), fmt.Sprintf("%#x", a.Results[i]), fmt.Sprintf("%#x", b.Results[i]))
		}
	}
	if !bytes.Equal(ra.ReturnData, rb.ReturnData) {
		return d(ClassValue, "returnData", hexOf(ra.ReturnData), hexOf(rb.ReturnData))
	}
	if len(ra.Writes) != len(rb.Writes) {
		return d(ClassStorage, "writes", len(ra.Writes), len(rb.Writes))
	}
	for i := range ra.Writes {
		wa, wb := ra.Writes[i], rb.Writes[i]
		if !bytes.Equal(wa.Key, wb.Key) {
			return d(ClassStorage, fmt.Sprintf("writes[%d].key", i), hexOf(wa.Key), hexOf(wb.Key))
		}
		if !bytes.Equal(wa.Value, wb.Value) {
			return d(ClassStorage, fmt.Sprintf("writes[%d].value", i), hexOf(wa.Value), hexOf(wb.Value))
		}
	}
	if len(ra.Logs) != len(rb.Logs) {
		return d(ClassLogs, "logs", len(ra.Logs), len(rb.Logs))
	}
	for i := range ra.Logs {
		if !bytes.Equal(ra.Logs[i], rb.Logs[i]) {
			return d(ClassLogs, fmt.Sprintf("logs[%d]", i), hexOf(ra.Logs[i]), hexOf(rb.Logs[i]))
		}
	}
	switch {
	case ra.GasUsed != rb.GasUsed:
		return d(ClassGas, "gasUsed", ra.GasUsed, rb.GasUsed)
	case a.GuestGas != b.GuestGas:
		return d(ClassGas, "guestGas", a.GuestGas, b.GuestGas)
	case a.HostGas != b.HostGas:
		return d(ClassGas, "hostGas", a.HostGas, b.HostGas)
	case a.Exit != b.Exit:
		return d(ClassGlobals, "exit", a.Exit, b.Exit)
	}
	if len(a.Globals) != len(b.Globals) {
		return d(ClassGlobals, "globals", len(a.Globals), len(b.Globals))
	}
	for i := range a.Globals {
		ga, gb := a.Globals[i], b.Globals[i]
		if ga != gb {
			return d(ClassGlobals, "globals."+ga.Name, fmt.Sprintf("%s=%#x", ga.Name, ga.Bits), fmt.Sprintf("%s=%#x", gb.Name, gb.Bits))
		}
	}
	switch {
	case a.MemoryPages != b.MemoryPages:
		return d(ClassMemory, "memory.pages", a.MemoryPages, b.MemoryPages)
	case a.MemoryHash != b.MemoryHash:
		return d(ClassMemory, "memory.hash", hexOf(a.MemoryHash[:]), hexOf(b.MemoryHash[:]))
	case a.DirtyPages != b.DirtyPages:
		return d(ClassMemory, "memory.dirtyPages", a.DirtyPages, b.DirtyPages)
	}
	return nil
}

func failText(o *Outcome) string {
	if o.Failure == "" {
		return "no failure"
	}
	return o.Failure + ": " + o.Detail
}

func hexOf(b []byte) string { return fmt.Sprintf("0x%x", b) }

// Signature returns the stable signature of a difference: the class, the
// field without indexes or key names, and, for the classes about how a run
// ended (trap-vs-ok, trap-kind), the opcode that trapped when one of the
// outcomes knows it, joined by "/": "value-mismatch/returnData",
// "trap-kind/trap/i32.div_s", "storage/writes.value". The same bug found
// twice gets the same signature; it contains no engine name, value or time.
func Signature(diff *Difference, outs ...*Outcome) string {
	s := diff.Class + "/" + fieldStem(diff.Field)
	if diff.Class != ClassTrapKind && diff.Class != ClassTrapVsOK {
		return s
	}
	for _, o := range outs {
		if o.TrapOp != "" {
			return s + "/" + o.TrapOp
		}
	}
	return s
}

// fieldStem drops indexes: "writes[1].value" -> "writes.value".
func fieldStem(f string) string {
	var b []byte
	skip := false
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == '[':
			skip = true
		case f[i] == ']':
			skip = false
		case !skip:
			b = append(b, f[i])
		}
	}
	if i := bytes.IndexByte(b, '.'); i >= 0 && string(b[:i]) == "globals" {
		return "globals" // a global's name is the module's, not the bug's
	}
	return string(b)
}
