package dispute

import (
	"errors"
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// ProofVersion is the first byte of every one-step proof this package
// reads and writes (docs/proof-format.md).
const ProofVersion = 3

// MaxProofSize bounds a one-step proof: the largest step proves a bulk
// copy of MaxCopyBytes (about 135 KiB of proof) or a host call's writes,
// so 4 MiB leaves room and lets a reader refuse a larger input before
// reading it (docs/proof-format.md §1). Verify rejects longer proofs.
const MaxProofSize = 4 << 20

// Verify checks a one-step proof against the pre-state root and returns
// the root of the state after that one step. It re-executes the step over
// the witness alone: it imports no machine. A rejection wraps ErrBadProof
// (the proof is malformed, does not match pre, or the state cannot step)
// or ErrNotProvable (a valid state whose instruction this verifier does
// not cover yet). Verify never panics on any input.
func Verify(pre [32]byte, proof []byte) (post [32]byte, err error) {
	if len(proof) > MaxProofSize {
		return [32]byte{}, fmt.Errorf("%w: proof of %d bytes: larger than %d bytes", ErrBadProof, len(proof), MaxProofSize)
	}
	v := &vm{r: reader{b: proof}}
	if err := v.run(pre); err != nil {
		return [32]byte{}, err
	}
	if v.r.off != len(proof) {
		return [32]byte{}, v.r.fail("end", "%d trailing bytes", len(proof)-v.r.off)
	}
	return v.s.root(), nil
}

// ProofChecker is the arbiter's StepChecker backed by Verify: a proof is
// valid when it verifies from pre to exactly post.
type ProofChecker struct{}

// CheckStep reports whether proof takes the state pre to post in one step.
// A proof that Verify rejects is a false result, not an error; only a step
// the verifier cannot check yet (ErrNotProvable) is returned as an error.
func (ProofChecker) CheckStep(step uint64, pre, post [32]byte, proof []byte) (bool, error) {
	got, err := Verify(pre, proof)
	if err != nil {
		if isNotProvable(err) {
			return false, fmt.Errorf("step %d: %w", step, err)
		}
		return false, nil
	}
	return got == post, nil
}

// vm is the verifier's view of one step: the proof reader, the state
// being turned from pre into post, the running function and op, and the
// top of the value stack as far as the proof opened it.
type vm struct {
	r     reader
	s     state
	fn    funcRec
	fnSib [][32]byte
	op    opRec
	// win holds the opened top entries of the value stack, bottom first;
	// below is the chain hash under them.
	win   []uint64
	below [32]byte
	// trapped is set when the step trapped (s already records it).
	trapped bool
	// stackSet is set by a call or return, which compute the value-stack
	// hash themselves.
	stackSet bool
}

func (v *vm) run(pre [32]byte) error {
	r := &v.r
	// ---- header ----
	ver, err := r.take(1, "version")
	if err != nil {
		return err
	}
	if ver[0] != ProofVersion {
		r.off--
		return r.fail("version", "0x%02x, want 0x%02x", ver[0], ProofVersion)
	}
	// ---- state ----
	body, err := r.take(stateBodySize, "state")
	if err != nil {
		return err
	}
	if keccak([]byte(stateLabel), body) != pre {
		return fmt.Errorf("%w: state at byte 1: does not hash to the pre-state root", ErrBadProof)
	}
	v.s = decodeState(body)
	if v.s.status != statusRunning {
		return fmt.Errorf("%w: state at byte 1: the machine is not running (status %d): no step to take", ErrBadProof, v.s.status)
	}
	if v.s.pending != 0 {
		return v.entryHost()
	}
	// ---- instruction: function record and op, with their proofs ----
	if err := v.readInstruction(); err != nil {
		return err
	}
	// ---- value stack window ----
	if err := v.readWindow(); err != nil {
		return err
	}
	v.s.steps++
	if v.s.maxSteps != 0 && v.s.steps-1 >= v.s.maxSteps {
		v.trap(trapStepLimit)
		return nil
	}
	// ---- aux: tables, segments and the host tape, if the op reads them ----
	if v.op.needsAux() {
		if err := v.openAux(); err != nil {
			return err
		}
	}
	// ---- op-specific extras, and the step itself ----
	if err := v.exec(); err != nil {
		return err
	}
	if !v.trapped && v.s.status == statusRunning && !v.stackSet {
		v.s.stack = v.chain()
	}
	return nil
}

// openAux reads the aux encoding (without its label) and checks it
// against the state's aux hash.
func (v *vm) openAux() error {
	start := v.r.off
	b, err := v.r.take(auxBodySize, "aux")
	if err != nil {
		return err
	}
	if keccak([]byte(auxLabel), b) != v.s.aux {
		return fmt.Errorf("%w: aux at byte %d: does not hash to the state's aux hash", ErrBadProof, start)
	}
	v.s.decodeAux(b)
	return nil
}

// needsAux reports whether the op reads the aux encoding: table and
// segment ops, call_indirect, and a call of a host function.
func (o opRec) needsAux() bool {
	switch wasm.Opcode(o.kind) {
	case wasm.OpCallIndirect, wasm.OpTableGet, wasm.OpTableSet, wasm.OpTableSize, wasm.OpTableGrow,
		wasm.OpTableFill, wasm.OpTableCopy, wasm.OpTableInit, wasm.OpElemDrop, wasm.OpMemoryInit, wasm.OpDataDrop:
		return true
	case wasm.OpCall:
		return o.callee().host
	}
	return false
}

// readInstruction reads the running function's record and the op at pc.
func (v *vm) readInstruction() error {
	r := &v.r
	start := r.off
	rec, err := r.take(funcRecSize, "function record")
	if err != nil {
		return err
	}
	sib, err := r.siblings(depthFor(uint64(v.s.nFuncs)), "function siblings")
	if err != nil {
		return err
	}
	if !foldsTo(funcsDomain, uint64(v.s.frame.addr), keccak([]byte(funcLabel), rec), sib, v.s.funcs) {
		return fmt.Errorf("%w: function record at byte %d: does not fold to the functions root", ErrBadProof, start)
	}
	v.fn, v.fnSib = decodeFuncRec(rec), sib
	if v.fn.host || v.s.frame.pc >= v.fn.numOps {
		return fmt.Errorf("%w: function record at byte %d: no op %d in function %d", ErrBadProof, start, v.s.frame.pc, v.s.frame.addr)
	}
	leaf, _, err := r.leafProof(codeDomain, depthFor(uint64(v.fn.codeLeaves)), uint64(v.s.frame.pc), v.fn.codeRoot, "op")
	if err != nil {
		return err
	}
	v.op = decodeOp(leaf)
	return nil
}

// readWindow reads the opened top of the value stack.
func (v *vm) readWindow() error {
	r := &v.r
	start := r.off
	k, err := r.u16("stack window count")
	if err != nil {
		return err
	}
	if v.below, err = r.word("stack window hash below"); err != nil {
		return err
	}
	v.win = make([]uint64, k)
	for i := range v.win {
		if v.win[i], err = r.u64(fmt.Sprintf("stack window[%d]", i)); err != nil {
			return err
		}
	}
	if v.chain() != v.s.stack {
		return fmt.Errorf("%w: stack window at byte %d: does not fold to the value-stack hash", ErrBadProof, start)
	}
	return nil
}

// chain folds the window onto the hash below it.
func (v *vm) chain() [32]byte {
	h := v.below
	for _, x := range v.win {
		h = chainPush(h, x)
	}
	return h
}

func (v *vm) pop() (uint64, error) {
	if len(v.win) == 0 {
		return 0, fmt.Errorf("%w: stack window too short for %s", ErrBadProof, opName(v.op.kind))
	}
	x := v.win[len(v.win)-1]
	v.win = v.win[:len(v.win)-1]
	v.s.sp--
	return x, nil
}

func (v *vm) push(x uint64) {
	v.win = append(v.win, x)
	v.s.sp++
}

// trap ends the call with trap kind k at the current op.
func (v *vm) trap(k byte) {
	v.s.trapAt(k, v.fn.index, v.op.offset)
	v.trapped = true
}

// next moves to the next op.
func (v *vm) next() { v.s.frame.pc++ }

func isNotProvable(err error) bool { return errors.Is(err, ErrNotProvable) }
