package block

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"golang.org/x/crypto/sha3"
)

// Receipt statuses.
const (
	StatusOK       = "ok"         // the entry returned; writes and logs take effect
	StatusAbort    = "abort"      // the contract called abort(code)
	StatusTrap     = "trap"       // a guest trap or a host trap other than abort and out-of-gas
	StatusOutOfGas = "out-of-gas" // guest plus host gas exceeded the gas limit
)

// Receipt is the engine-independent result of one transaction.
type Receipt struct {
	Status string
	// Trap is the trap kind when Status is trap: a guest trap as the
	// spec's assert_trap text ("integer divide by zero", "unreachable",
	// "call stack exhausted", ...), or "host " + HostTrap.Kind
	// ("host out-of-bounds", "host limit"). Empty for other statuses.
	Trap string
	// AbortCode is the code passed to abort, when Status is abort.
	AbortCode uint32
	// ReturnData is the last return_data, kept when Status is ok or abort.
	ReturnData []byte
	// GasUsed is guest gas plus host gas, or GasLimit when out of gas.
	GasUsed uint64
	// Logs in the order logged, and Writes (storage writes of the
	// transaction's contract) in the order made; both only when Status is ok.
	Logs   [][]byte
	Writes []Write
}

// Receipt ends the transaction and returns its receipt. engineTrap is what
// the engine observed: "" if the entry function returned, TrapOutOfGas if
// the meter's sentinel says the guest ran out of gas, otherwise the guest
// trap's kind as the spec's assert_trap text. guestGas is the gas the
// instrumented module used (limit minus the gas left, or the limit when
// it ran out). A host trap, if any, decides the outcome whatever
// engineTrap says; then, if guest plus host gas exceeds the limit, the
// status is out-of-gas. Receipt may be called more than once: the first
// call's result is kept.
func (c *Call) Receipt(engineTrap string, guestGas uint64) Receipt {
	if c.done {
		return c.receipt
	}
	c.done = true
	r := Receipt{GasUsed: guestGas + c.hostGas}
	if r.GasUsed < guestGas { // wrapped
		r.GasUsed = ^uint64(0)
	}
	switch {
	case c.trap != nil && c.trap.Kind == TrapAbort:
		r.Status, r.AbortCode = StatusAbort, c.trap.Code
	case c.trap != nil && c.trap.Kind == TrapOutOfGas:
		r.Status = StatusOutOfGas
	case c.trap != nil:
		r.Status, r.Trap = StatusTrap, "host "+c.trap.Kind
	case engineTrap == TrapOutOfGas:
		r.Status = StatusOutOfGas
	case engineTrap != "":
		r.Status, r.Trap = StatusTrap, engineTrap
	default:
		r.Status = StatusOK
	}
	if r.GasUsed > c.tx.GasLimit {
		r.Status, r.Trap, r.AbortCode = StatusOutOfGas, "", 0
	}
	if r.Status == StatusOutOfGas {
		r.GasUsed = c.tx.GasLimit
	}
	if r.Status == StatusOK || r.Status == StatusAbort {
		r.ReturnData = c.ret
	}
	if r.Status == StatusOK {
		r.Logs, r.Writes = c.logs, c.writes
	}
	c.receipt = r
	return r
}

// Commit applies the transaction's storage writes to the State if its
// receipt has status ok, and reports whether it did. It panics if Receipt
// has not been called: committing an unfinished transaction is a bug.
func (c *Call) Commit() bool {
	if !c.done {
		panic("BUG: block: Commit before Receipt")
	}
	if c.receipt.Status != StatusOK {
		return false
	}
	if !c.state.Apply(c.tx.Contract, c.receipt.Writes) {
		panic("BUG: block: transaction on a contract missing from the state: " + c.tx.Contract)
	}
	return true
}

// Discard drops the transaction's journal; the State is left unchanged.
func (c *Call) Discard() {
	c.writes, c.pending, c.logs, c.ret = nil, map[string][]byte{}, nil, nil
}

// String formats a receipt on one line for people, e.g.
// "ok gas=1234 return=0x2a logs=1 writes=2".
func (r Receipt) String() string {
	s := r.Status
	switch r.Status {
	case StatusTrap:
		s += fmt.Sprintf(" (%s)", r.Trap)
	case StatusAbort:
		s += fmt.Sprintf(" (code %d)", r.AbortCode)
	}
	s += fmt.Sprintf(" gas=%d", r.GasUsed)
	if len(r.ReturnData) > 0 {
		s += " return=" + FormatHex(r.ReturnData)
	}
	if len(r.Logs) > 0 {
		s += fmt.Sprintf(" logs=%d", len(r.Logs))
	}
	if len(r.Writes) > 0 {
		s += fmt.Sprintf(" writes=%d", len(r.Writes))
	}
	return s
}

// ReceiptLabel starts the canonical receipt encoding.
const ReceiptLabel = "referee/receipt/v1"

// Encode returns the canonical encoding of r (big-endian integers; every
// byte string is a u32 length then the bytes):
//
//	"referee/receipt/v1" (18 bytes ASCII)
//	status (byte string), trap (byte string), u32 abort code,
//	return data (byte string), u64 gas used,
//	u32 number of logs, then each log (byte string),
//	u32 number of writes, then each write: key, value (byte strings).
func (r Receipt) Encode() []byte {
	var b []byte
	u32 := func(n uint32) { b = binary.BigEndian.AppendUint32(b, n) }
	str := func(s []byte) { u32(uint32(len(s))); b = append(b, s...) }
	b = append(b, ReceiptLabel...)
	str([]byte(r.Status))
	str([]byte(r.Trap))
	u32(r.AbortCode)
	str(r.ReturnData)
	b = binary.BigEndian.AppendUint64(b, r.GasUsed)
	u32(uint32(len(r.Logs)))
	for _, l := range r.Logs {
		str(l)
	}
	u32(uint32(len(r.Writes)))
	for _, w := range r.Writes {
		str(w.Key)
		str(w.Value)
	}
	return b
}

// ReceiptsHash returns keccak256 over the receipts' encodings in order, each
// preceded by its u32 length: one hash that pins every receipt of a block.
func ReceiptsHash(rs []Receipt) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, r := range rs {
		e := r.Encode()
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e))))
		h.Write(e)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// MarshalJSON writes the receipt with lowerCamel keys and byte strings as
// 0x-hex (the CLI's --json form): status, trap (status trap only), abortCode
// (status abort only), returnData, gasUsed, logs, writes [{key, value}].
func (r Receipt) MarshalJSON() ([]byte, error) {
	type write struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	type receipt struct {
		Status     string   `json:"status"`
		Trap       string   `json:"trap,omitempty"`
		AbortCode  *uint32  `json:"abortCode,omitempty"`
		ReturnData string   `json:"returnData"`
		GasUsed    uint64   `json:"gasUsed"`
		Logs       []string `json:"logs"`
		Writes     []write  `json:"writes"`
	}
	out := receipt{Status: r.Status, Trap: r.Trap, ReturnData: FormatHex(r.ReturnData), GasUsed: r.GasUsed,
		Logs: []string{}, Writes: []write{}}
	if r.Status == StatusAbort {
		out.AbortCode = &r.AbortCode
	}
	for _, l := range r.Logs {
		out.Logs = append(out.Logs, FormatHex(l))
	}
	for _, w := range r.Writes {
		out.Writes = append(out.Writes, write{Key: FormatHex(w.Key), Value: FormatHex(w.Value)})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the form MarshalJSON writes (a client of referee
// serve reads receipts so).
func (r *Receipt) UnmarshalJSON(data []byte) error {
	var in struct {
		Status     string
		Trap       string
		AbortCode  *uint32
		ReturnData string
		GasUsed    uint64
		Logs       []string
		Writes     []struct{ Key, Value string }
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	switch in.Status {
	case StatusOK, StatusAbort, StatusTrap, StatusOutOfGas:
	default:
		return fmt.Errorf("receipt: unknown status %q", in.Status)
	}
	out := Receipt{Status: in.Status, Trap: in.Trap, GasUsed: in.GasUsed}
	if in.AbortCode != nil {
		out.AbortCode = *in.AbortCode
	}
	var err error
	if out.ReturnData, err = ParseHex(in.ReturnData); err != nil {
		return fmt.Errorf("receipt: returnData: %w", err)
	}
	if len(out.ReturnData) == 0 {
		out.ReturnData = nil
	}
	for i, l := range in.Logs {
		b, err := ParseHex(l)
		if err != nil {
			return fmt.Errorf("receipt: logs[%d]: %w", i, err)
		}
		out.Logs = append(out.Logs, b)
	}
	for i, w := range in.Writes {
		k, err := ParseHex(w.Key)
		if err != nil {
			return fmt.Errorf("receipt: writes[%d].key: %w", i, err)
		}
		v, err := ParseHex(w.Value)
		if err != nil {
			return fmt.Errorf("receipt: writes[%d].value: %w", i, err)
		}
		out.Writes = append(out.Writes, Write{Key: k, Value: v})
	}
	*r = out
	return nil
}
