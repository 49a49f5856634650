package block

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// ABIName names this host ABI; ImportModule is the module name contracts
// import it from.
const (
	ABIName      = "referee-v1"
	ImportModule = "referee"
)

// Per-transaction limits of the ABI. Breaking one traps with kind TrapLimit.
const (
	MaxKeySize    = 256   // bytes of a storage key
	MaxValueSize  = 4096  // bytes of a storage value
	MaxWrites     = 1024  // storage_write calls per transaction
	MaxLogs       = 64    // log calls per transaction
	MaxLogSize    = 1024  // bytes of one log record
	MaxReturnSize = 65536 // bytes of return data
)

// Host trap kinds (HostTrap.Kind).
const (
	TrapAbort       = "abort"         // the contract called abort(code)
	TrapOutOfBounds = "out-of-bounds" // a pointer range outside memory, or an input range outside the input
	TrapOutOfGas    = "out-of-gas"    // a host charge, or the meter, exhausted the gas limit
	TrapLimit       = "limit"         // a size or count limit of the ABI was exceeded
)

// Memory is an engine adapter's view of the exported memory "memory" of the
// instance running a transaction. Both methods must check bounds exactly as
// follows, on every engine: an access of length n at offset p is in bounds
// iff p + n <= the memory's current size in bytes (computed without
// overflow); in particular a zero-length access at p == size is in bounds.
// Read may return a view into memory: Call copies whatever it keeps. Call
// never asks Read for more than max(MaxValueSize, MaxReturnSize,
// MaxInputSize) bytes at once, so adapters need no cap of their own.
type Memory interface {
	Read(offset, length uint32) ([]byte, bool) // false = out of bounds
	Write(offset uint32, data []byte) bool     // false = out of bounds, nothing written
}

// HostFunc describes one function of the ABI. A call costs Gas +
// GasPerByte × the bytes the function moves (see HostFuncs), charged before
// the function has any effect.
type HostFunc struct {
	Name       string
	Type       wasm.FuncType
	Gas        uint64
	GasPerByte uint64
}

var (
	i32 = wasm.I32
	// hostFuncs is sorted by name; HostFuncs returns a copy.
	hostFuncs = []HostFunc{
		{Name: "abort", Type: ft([]wasm.ValType{i32}, nil), Gas: 10},
		{Name: "input_copy", Type: ft([]wasm.ValType{i32, i32, i32}, nil), Gas: 20, GasPerByte: 1},
		{Name: "input_size", Type: ft(nil, []wasm.ValType{i32}), Gas: 10},
		{Name: "log", Type: ft([]wasm.ValType{i32, i32}, nil), Gas: 100, GasPerByte: 4},
		{Name: "return_data", Type: ft([]wasm.ValType{i32, i32}, nil), Gas: 20, GasPerByte: 1},
		{Name: "storage_read", Type: ft([]wasm.ValType{i32, i32, i32, i32}, []wasm.ValType{i32}), Gas: 200, GasPerByte: 1},
		{Name: "storage_write", Type: ft([]wasm.ValType{i32, i32, i32, i32}, nil), Gas: 1000, GasPerByte: 8},
	}
)

func ft(params, results []wasm.ValType) wasm.FuncType {
	return wasm.FuncType{Params: params, Results: results}
}

// HostFuncs returns the functions of ABI referee-v1, sorted by name. The
// slice is a fresh copy.
func HostFuncs() []HostFunc {
	out := make([]HostFunc, len(hostFuncs))
	for i, f := range hostFuncs {
		f.Type = ft(append([]wasm.ValType(nil), f.Type.Params...), append([]wasm.ValType(nil), f.Type.Results...))
		out[i] = f
	}
	return out
}

// LookupHostFunc returns the ABI function called name.
func LookupHostFunc(name string) (HostFunc, bool) {
	for _, f := range hostFuncs {
		if f.Name == name {
			return f, true
		}
	}
	return HostFunc{}, false
}

// HostTrap is a trap raised by a host function. It ends the transaction: the
// adapter turns it into a trap of its engine, and the receipt takes the
// HostTrap's kind whatever the engine reports.
type HostTrap struct {
	Kind   string // TrapAbort, TrapOutOfBounds, TrapOutOfGas or TrapLimit
	Code   uint32 // the abort code, for TrapAbort
	Func   string // the host function that trapped
	Detail string // for people; not part of any receipt
}

// Error formats the trap, e.g. "host storage_read: out-of-bounds: key [65530, 65546) outside memory".
func (t *HostTrap) Error() string {
	if t.Kind == TrapAbort {
		return fmt.Sprintf("host %s: abort with code %d", t.Func, t.Code)
	}
	return fmt.Sprintf("host %s: %s: %s", t.Func, t.Kind, t.Detail)
}

// ErrNoHostFunc is returned by Invoke for a name outside the ABI, and
// ErrHostArgs for a wrong number of arguments: both are adapter bugs, not
// traps (CheckContract rejects modules that could cause them).
var (
	ErrNoHostFunc = errors.New("no such host function")
	ErrHostArgs   = errors.New("wrong number of host function arguments")
)

// Call is the host context of one transaction on one engine: it reads the
// State (never writes it), keeps the transaction's storage writes in a
// journal that later reads see, and collects logs, return data, host gas and
// the host trap. Each engine running a transaction gets its own Call; one
// Call is used by one goroutine.
type Call struct {
	state   *State
	tx      Tx
	hostGas uint64
	writes  []Write
	pending map[string][]byte // key -> latest written value (empty = deleted); lookups only
	logs    [][]byte
	ret     []byte
	trap    *HostTrap
	calls   uint64
	done    bool
	receipt Receipt
}

// NewCall starts the host context of tx against st.
func NewCall(st *State, tx Tx) *Call {
	return &Call{state: st, tx: tx, pending: map[string][]byte{}}
}

// Tx returns the transaction.
func (c *Call) Tx() Tx { return c.tx }

// HostGas returns the gas charged by host functions so far.
func (c *Call) HostGas() uint64 { return c.hostGas }

// HostCalls returns the number of host function calls so far, trapping ones
// included.
func (c *Call) HostCalls() uint64 { return c.calls }

// Trap returns the host trap that ended the transaction, or nil.
func (c *Call) Trap() *HostTrap { return c.trap }

// Invoke runs the host function name with the raw argument bits args (i32
// in the low 32 bits) against mem, the instance's exported memory (nil if
// it exports none: then only zero-length accesses at offset 0 are in
// bounds). It returns the results as raw bits (i32 zero-extended), or a
// *HostTrap that the adapter must turn into a trap of its engine. Once a
// HostTrap has been returned, every later Invoke returns the same one and
// has no effect.
//
// Each function checks, in this order, and traps at the first failure:
// (1) its size and count limits (TrapLimit; input ranges: TrapOutOfBounds),
// (2) its gas charge against the gas limit (TrapOutOfGas), (3) every memory
// range it will touch (TrapOutOfBounds); only then (4) has its effect.
func (c *Call) Invoke(name string, mem Memory, args []uint64) ([]uint64, error) {
	if c.trap != nil {
		return nil, c.trap
	}
	f, ok := LookupHostFunc(name)
	if !ok {
		return nil, fmt.Errorf("host %q: %w", name, ErrNoHostFunc)
	}
	if len(args) != len(f.Type.Params) {
		return nil, fmt.Errorf("host %s: %d arguments, want %d: %w", name, len(args), len(f.Type.Params), ErrHostArgs)
	}
	c.calls++
	a := make([]uint32, len(args))
	for i, v := range args {
		a[i] = uint32(v)
	}
	h := host{c: c, f: f, mem: mem}
	var res []uint64
	var trap *HostTrap
	switch name {
	case "abort":
		trap = h.abort(a[0])
	case "input_size":
		res, trap = h.inputSize()
	case "input_copy":
		trap = h.inputCopy(a[0], a[1], a[2])
	case "return_data":
		trap = h.returnData(a[0], a[1])
	case "log":
		trap = h.log(a[0], a[1])
	case "storage_read":
		res, trap = h.storageRead(a[0], a[1], a[2], a[3])
	case "storage_write":
		trap = h.storageWrite(a[0], a[1], a[2], a[3])
	default:
		panic("BUG: block: host function " + name + " listed but not dispatched")
	}
	if trap != nil {
		trap.Func = name
		c.trap = trap
		return nil, trap
	}
	return res, nil
}

// host is one invocation: the call, the function and the memory.
type host struct {
	c   *Call
	f   HostFunc
	mem Memory
}

// charge adds Gas + GasPerByte×n to the host gas, or traps if the total
// would exceed the transaction's gas limit (host gas is then set to the
// limit).
func (h host) charge(n uint64) *HostTrap {
	price := h.f.Gas + h.f.GasPerByte*n // n < 2^33 and GasPerByte < 2^8: no overflow
	if price > h.c.tx.GasLimit || h.c.hostGas > h.c.tx.GasLimit-price {
		h.c.hostGas = h.c.tx.GasLimit
		return &HostTrap{Kind: TrapOutOfGas, Detail: fmt.Sprintf("charge of %d gas exceeds the limit %d", price, h.c.tx.GasLimit)}
	}
	h.c.hostGas += price
	return nil
}

func limitTrap(format string, args ...any) *HostTrap {
	return &HostTrap{Kind: TrapLimit, Detail: fmt.Sprintf(format, args...)}
}

func oobTrap(what string, p, n uint32) *HostTrap {
	return &HostTrap{Kind: TrapOutOfBounds, Detail: fmt.Sprintf("%s [%d, %d) outside memory", what, p, uint64(p)+uint64(n))}
}

// inBounds reports whether [p, p+n) lies inside mem, asking the adapter for
// at most one byte.
func (h host) inBounds(p, n uint32) bool {
	end := uint64(p) + uint64(n)
	if end > 1<<32 {
		return false
	}
	if h.mem == nil {
		return end == 0
	}
	if n == 0 {
		_, ok := h.mem.Read(p, 0)
		return ok
	}
	b, ok := h.mem.Read(p+n-1, 1)
	return ok && len(b) == 1
}

// read copies [p, p+n) out of memory; the caller has checked the bounds.
func (h host) read(what string, p, n uint32) ([]byte, *HostTrap) {
	if n == 0 {
		return []byte{}, nil
	}
	b, ok := h.mem.Read(p, n)
	if !ok || uint32(len(b)) != n {
		return nil, oobTrap(what, p, n)
	}
	return bytes.Clone(b), nil
}

func (h host) write(what string, p uint32, data []byte) *HostTrap {
	if len(data) == 0 {
		return nil
	}
	if !h.mem.Write(p, data) {
		return oobTrap(what, p, uint32(len(data)))
	}
	return nil
}

// abort(code i32): ends the transaction with status abort and code.
func (h host) abort(code uint32) *HostTrap {
	if t := h.charge(0); t != nil {
		return t
	}
	return &HostTrap{Kind: TrapAbort, Code: code}
}

// input_size() -> i32: the length of the transaction's input.
func (h host) inputSize() ([]uint64, *HostTrap) {
	if t := h.charge(0); t != nil {
		return nil, t
	}
	return []uint64{uint64(len(h.c.tx.Input))}, nil
}

// input_copy(dst, off, len i32): copies input[off, off+len) to memory at dst.
func (h host) inputCopy(dst, off, n uint32) *HostTrap {
	if uint64(off)+uint64(n) > uint64(len(h.c.tx.Input)) {
		return &HostTrap{Kind: TrapOutOfBounds, Detail: fmt.Sprintf("input range [%d, %d) outside the %d-byte input", off, uint64(off)+uint64(n), len(h.c.tx.Input))}
	}
	if t := h.charge(uint64(n)); t != nil {
		return t
	}
	if !h.inBounds(dst, n) {
		return oobTrap("destination", dst, n)
	}
	return h.write("destination", dst, h.c.tx.Input[off:off+n])
}

// return_data(ptr, len i32): sets the return data to memory [ptr, ptr+len),
// replacing any earlier return data.
func (h host) returnData(p, n uint32) *HostTrap {
	if n > MaxReturnSize {
		return limitTrap("%d bytes of return data, limit %d", n, MaxReturnSize)
	}
	if t := h.charge(uint64(n)); t != nil {
		return t
	}
	if !h.inBounds(p, n) {
		return oobTrap("return data", p, n)
	}
	b, t := h.read("return data", p, n)
	if t != nil {
		return t
	}
	h.c.ret = b
	return nil
}

// log(ptr, len i32): appends memory [ptr, ptr+len) to the transaction's logs.
func (h host) log(p, n uint32) *HostTrap {
	if n > MaxLogSize {
		return limitTrap("log record of %d bytes, limit %d", n, MaxLogSize)
	}
	if len(h.c.logs) >= MaxLogs {
		return limitTrap("more than %d log records", MaxLogs)
	}
	if t := h.charge(uint64(n)); t != nil {
		return t
	}
	if !h.inBounds(p, n) {
		return oobTrap("log record", p, n)
	}
	b, t := h.read("log record", p, n)
	if t != nil {
		return t
	}
	h.c.logs = append(h.c.logs, b)
	return nil
}

// storage_read(key_ptr, key_len, val_ptr, val_cap i32) -> i32: looks the key
// up (the transaction's own earlier writes first), copies min(length, cap)
// bytes of the value to val_ptr and returns its length, or -1 if absent.
// The whole buffer [val_ptr, val_ptr+val_cap) must be in bounds; the charge
// counts key_len + min(val_cap, MaxValueSize) bytes, so it does not depend
// on the stored value.
func (h host) storageRead(kp, kl, vp, vc uint32) ([]uint64, *HostTrap) {
	if kl > MaxKeySize {
		return nil, limitTrap("key of %d bytes, limit %d", kl, MaxKeySize)
	}
	if t := h.charge(uint64(kl) + uint64(min(vc, MaxValueSize))); t != nil {
		return nil, t
	}
	if !h.inBounds(kp, kl) {
		return nil, oobTrap("key", kp, kl)
	}
	if !h.inBounds(vp, vc) {
		return nil, oobTrap("value buffer", vp, vc)
	}
	key, t := h.read("key", kp, kl)
	if t != nil {
		return nil, t
	}
	v, ok := h.c.lookup(key)
	if !ok {
		return []uint64{0xFFFFFFFF}, nil
	}
	if t := h.write("value buffer", vp, v[:min(uint32(len(v)), vc)]); t != nil {
		return nil, t
	}
	return []uint64{uint64(len(v))}, nil
}

// storage_write(key_ptr, key_len, val_ptr, val_len i32): records the write
// in the journal; a zero-length value deletes the key. The write reaches
// the State only if the transaction ends with status ok.
func (h host) storageWrite(kp, kl, vp, vl uint32) *HostTrap {
	switch {
	case kl > MaxKeySize:
		return limitTrap("key of %d bytes, limit %d", kl, MaxKeySize)
	case vl > MaxValueSize:
		return limitTrap("value of %d bytes, limit %d", vl, MaxValueSize)
	case len(h.c.writes) >= MaxWrites:
		return limitTrap("more than %d storage writes", MaxWrites)
	}
	if t := h.charge(uint64(kl) + uint64(vl)); t != nil {
		return t
	}
	if !h.inBounds(kp, kl) {
		return oobTrap("key", kp, kl)
	}
	if !h.inBounds(vp, vl) {
		return oobTrap("value", vp, vl)
	}
	key, t := h.read("key", kp, kl)
	if t != nil {
		return t
	}
	val, t := h.read("value", vp, vl)
	if t != nil {
		return t
	}
	h.c.writes = append(h.c.writes, Write{Key: key, Value: val})
	h.c.pending[string(key)] = val
	return nil
}

// lookup returns the value of key as this transaction sees it.
func (c *Call) lookup(key []byte) ([]byte, bool) {
	if v, ok := c.pending[string(key)]; ok {
		return v, len(v) > 0
	}
	return c.state.Get(c.tx.Contract, key)
}
