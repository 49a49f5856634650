package dispute

import (
	"fmt"

	"github.com/refereevm/referee/merkle"
)

// Host calls are proven from the committed host tape
// (docs/state-commitment.md §11, docs/proof-format.md §3.3): a host
// function is Go code no verifier can run, so what each call did is an
// input committed up front, and a host-call step applies the tape's entry
// at the cursor. The outcome is defined for every entry, exactly as the
// machine's (trace.Machine.hostReplay) is:
//
//   - the tape is exhausted (cursor = count): trap unreachable, the cursor
//     stays;
//   - otherwise the cursor advances and, if the entry names another
//     function, carries results although it traps, carries another number
//     of results than the callee returns although it does not trap, or has
//     a write to a memory that does not exist or past a memory's size:
//     trap unreachable, and none of its writes is applied;
//   - otherwise its writes are applied in order, then it traps with its
//     kind or pushes its results.

const (
	hostCallLabel = "referee/hostcall/v2"
	hostFuncIndex = 0xffffffff // the trap function of a trapping entry host function
	maxTrapKind   = trapStepLimit
)

var tapeDomain = merkle.NewDomain("hosttape")

// hostEntry is a decoded tape entry.
type hostEntry struct {
	fn      uint32
	trap    byte
	results []uint64
	writes  []hostWrite
}

type hostWrite struct {
	mem, addr uint32
	data      []byte
}

// readHostEntry reads the entry at the cursor (its encoding, then its
// siblings in the tape tree) and checks it against the committed tape.
func (v *vm) readHostEntry() (*hostEntry, error) {
	r := &v.r
	start := r.off
	e := &hostEntry{}
	var err error
	if e.fn, err = r.u32("host entry function"); err != nil {
		return nil, err
	}
	p, err := r.take(1, "host entry trap kind")
	if err != nil {
		return nil, err
	}
	if e.trap = p[0]; e.trap > maxTrapKind {
		r.off--
		return nil, r.fail("host entry trap kind", "unknown trap kind %d", e.trap)
	}
	nr, err := r.u32("host entry result count")
	if err != nil {
		return nil, err
	}
	res, err := r.take(8*int(min(nr, 1<<28)), "host entry results")
	if err != nil || nr >= 1<<28 {
		return nil, r.fail("host entry results", "%d results", nr)
	}
	e.results = make([]uint64, nr)
	for i := range e.results {
		for _, b := range res[8*i : 8*i+8] {
			e.results[i] = e.results[i]<<8 | uint64(b)
		}
	}
	nw, err := r.u32("host entry write count")
	if err != nil {
		return nil, err
	}
	for i := uint32(0); i < nw; i++ {
		var w hostWrite
		what := fmt.Sprintf("host entry write %d", i)
		if w.mem, err = r.u32(what + " memory"); err != nil {
			return nil, err
		}
		if w.addr, err = r.u32(what + " address"); err != nil {
			return nil, err
		}
		n, err := r.u32(what + " length")
		if err != nil {
			return nil, err
		}
		if w.data, err = r.take(int(min(n, 1<<30)), what+" bytes"); err != nil {
			return nil, err
		}
		if n > 1<<30 {
			return nil, r.fail(what+" bytes", "%d bytes", n)
		}
		e.writes = append(e.writes, w)
	}
	leaf := keccak([]byte(hostCallLabel), r.b[start:r.off])
	sib, err := r.siblings(depthFor(uint64(v.s.nTape)), "host entry siblings")
	if err != nil {
		return nil, err
	}
	if !foldsTo(tapeDomain, uint64(v.s.cursor), leaf, sib, v.s.tape) {
		return nil, fmt.Errorf("%w: host tape entry %d at byte %d: does not fold to the tape root", ErrBadProof, v.s.cursor, start)
	}
	return e, nil
}

// hostEffect applies the tape entry at the cursor to a call of host
// function addr, which returns results values: it returns the results to
// push, or the trap kind (0 = none). Memory writes are committed to v.s.
func (v *vm) hostEffect(addr, results uint32) ([]uint64, byte, error) {
	if v.s.cursor >= v.s.nTape {
		return nil, trapUnreachable, nil // exhausted: the cursor stays
	}
	e, err := v.readHostEntry()
	if err != nil {
		return nil, 0, err
	}
	v.s.cursor++
	if e.fn != addr || (e.trap != 0 && len(e.results) != 0) || (e.trap == 0 && uint64(len(e.results)) != uint64(results)) {
		return nil, trapUnreachable, nil
	}
	pre := v.s.mems
	for i, w := range e.writes {
		if w.mem >= v.s.nMems {
			v.s.mems = pre
			return nil, trapUnreachable, nil
		}
		mi, err := v.readMemAt(w.mem)
		if err != nil {
			return nil, 0, err
		}
		n := uint64(len(w.data))
		if uint64(w.addr)+n > uint64(mi.size)*wasmPageSize {
			v.s.mems = pre
			return nil, trapUnreachable, nil
		}
		if n > MaxCopyBytes {
			return nil, 0, fmt.Errorf("%w: host write of %d bytes (one step proves at most %d per write)", ErrNotProvable, n, MaxCopyBytes)
		}
		if n == 0 {
			continue
		}
		tr, err := v.readMemRange(mi, uint64(w.addr), n, fmt.Sprintf("host write %d", i))
		if err != nil {
			return nil, 0, err
		}
		tr.writeBytes(uint64(w.addr), w.data)
		v.writeMem(mi, mi.size, tr.root())
	}
	return e.results, e.trap, nil
}

// notReplaying is the error of a host call in a machine whose host
// functions run live.
func notReplaying(addr uint32) error {
	return fmt.Errorf("%w: call to host function %d of a machine that runs host functions live: record a host tape (trace.Machine.RecordHost), then replay it on a fresh machine (ReplayHost) to prove host calls", ErrNotProvable, addr)
}

func (v *vm) checkHostMode(addr uint32) error {
	switch v.s.hostMode {
	case 0:
		return notReplaying(addr)
	case 1:
		return nil
	}
	return fmt.Errorf("%w: state at byte 1: host mode %d", ErrBadProof, v.s.hostMode)
}

// hostCall executes a call or call_indirect of host function addr: it
// pops the params, applies the tape entry, and pushes the results or
// traps at the call.
func (v *vm) hostCall(addr, params, results uint32) error {
	if err := v.checkHostMode(addr); err != nil {
		return err
	}
	if uint64(params) > uint64(len(v.win)) {
		return fmt.Errorf("%w: stack window too short for %d parameters", ErrBadProof, params)
	}
	for range params {
		if _, err := v.pop(); err != nil {
			return err
		}
	}
	res, trap, err := v.hostEffect(addr, results)
	if err != nil {
		return err
	}
	if trap != 0 {
		v.trap(trap)
		return nil
	}
	for _, x := range res {
		v.push(x)
	}
	v.next()
	return nil
}

// entryHost is the step of a call whose entry is a host function: the
// proof holds, after the state, the entry function's record and siblings,
// the stack window (its arguments) and the host call's extras.
func (v *vm) entryHost() error {
	start := v.r.off
	f, err := v.readFunc(uint64(v.s.entry), "entry function")
	if err != nil {
		return err
	}
	if !f.host {
		return fmt.Errorf("%w: entry function record at byte %d: a pending host call of a Wasm function", ErrBadProof, start)
	}
	if err := v.readWindow(); err != nil {
		return err
	}
	v.s.steps++
	if v.s.maxSteps != 0 && v.s.steps-1 >= v.s.maxSteps {
		// the machine's fuel trap: the pending flag stays, as in the machine
		v.s.trapAt(trapStepLimit, hostFuncIndex, 0)
		return nil
	}
	if err := v.openAux(); err != nil {
		return err
	}
	if err := v.checkHostMode(v.s.entry); err != nil {
		return err
	}
	if uint64(f.params) > uint64(len(v.win)) {
		return fmt.Errorf("%w: stack window too short for %d arguments", ErrBadProof, f.params)
	}
	res, trap, err := v.hostEffect(v.s.entry, f.results)
	if err != nil {
		return err
	}
	v.s.pending = 0
	if trap != 0 {
		v.s.trapAt(trap, hostFuncIndex, 0)
		return nil
	}
	var h [32]byte
	for _, x := range res {
		h = chainPush(h, x)
	}
	v.s.status = statusDone
	v.s.entry, v.s.depth = 0, 0
	v.s.sp = uint32(len(res))
	v.s.frame = frameRec{}
	v.s.frames = [32]byte{}
	v.s.stack = h
	return nil
}
