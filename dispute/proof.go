package dispute

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// Witnesser produces the one-step proof of a machine's next step;
// *trace.Committer is one. Taking an interface keeps the dispute package
// free of the machine: it verifies from bytes and roots only.
type Witnesser interface {
	Witness() ([]byte, error)
}

// Proof is a one-step proof: Bytes in the encoding of
// docs/proof-format.md, and the pre-state root they open.
type Proof struct {
	Pre   [32]byte
	Bytes []byte
}

// Prove returns the proof of the next step of the machine behind w.
func Prove(w Witnesser) (*Proof, error) {
	b, err := w.Witness()
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	if len(b) < 1+stateBodySize {
		return nil, fmt.Errorf("prove: witness of %d bytes is shorter than the state", len(b))
	}
	return &Proof{Pre: keccak([]byte(stateLabel), b[1:1+stateBodySize]), Bytes: b}, nil
}

// Verify checks the proof against pre and returns the post-state root.
func (p *Proof) Verify(pre [32]byte) ([32]byte, error) { return Verify(pre, p.Bytes) }

// ProofInfo describes a proof without verifying it.
type ProofInfo struct {
	Pre    [32]byte // the root of the state the proof opens
	Steps  uint64   // steps taken before the proven one
	Op     string   // the instruction, e.g. "i32.add"; "" if the proof has none
	Kind   uint16   // its op kind: the Wasm opcode or an internal kind (0x06 final end, 0x07 br and 0x08 br_if to the function's label)
	Func   uint32   // its function index in its module; 0xffffffff for a pending entry host function
	Offset uint32   // its byte offset in the code section
	Size   int      // bytes
}

// DescribeProof decodes a proof's state and instruction.
func DescribeProof(b []byte) (ProofInfo, error) {
	info := ProofInfo{Size: len(b)}
	r := reader{b: b}
	if _, err := r.take(1, "version"); err != nil {
		return info, err
	}
	body, err := r.take(stateBodySize, "state")
	if err != nil {
		return info, err
	}
	info.Pre = keccak([]byte(stateLabel), body)
	s := decodeState(body)
	info.Steps = s.steps
	if s.status == statusRunning && s.pending != 0 {
		// the pending entry host function: a call, at no instruction
		info.Op, info.Kind, info.Func = "call", uint16(wasm.OpCall), hostFuncIndex
		return info, nil
	}
	if s.status != statusRunning {
		return info, nil
	}
	rec, err := r.take(funcRecSize, "function record")
	if err != nil {
		return info, err
	}
	if _, err := r.siblings(depthFor(uint64(s.nFuncs)), "function siblings"); err != nil {
		return info, err
	}
	l, err := r.word("op leaf")
	if err != nil {
		return info, err
	}
	op := decodeOp(l)
	info.Op = opName(op.kind)
	info.Kind = op.kind
	info.Func = decodeFuncRec(rec).index
	info.Offset = op.offset
	return info, nil
}
