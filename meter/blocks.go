package meter

import (
	"fmt"

	"github.com/refereevm/referee/wasm"
)

// instr is one instruction of a function body: its opcode and its byte
// range in the body.
type instr struct {
	op         wasm.Opcode
	start, end uint32
	// seg is the index of the metering segment that starts just before
	// this instruction, or -1.
	seg int32
	// nest is the number of the body's blocks, loops and ifs open just
	// before this instruction (a branch from here to label nest leaves the
	// original body).
	nest uint32
}

// segment is a superblock in Ewasm's sense: a run of instructions entered
// only at its first instruction and left at its last one, by a trap, or by a
// taken br_if in the middle. Its whole static cost is charged at its start.
type segment struct {
	cost uint64
	dead bool // starts after br, br_table, return or unreachable: never entered
}

// body is the analysis of one function body.
type body struct {
	instrs   []instr
	segs     []segment
	hasCalls bool // contains call or call_indirect
	// blocks counts the basic blocks a compiling engine sees: the
	// segments plus one per br_if (the gate's shape limits use it).
	blocks     int
	maxTargets uint32 // most targets of one br_table (the default included)
}

// control frame kinds for the scan.
const (
	ctlBlock = iota
	ctlLoop
	ctlIf
)

// analyze splits a function body into instructions and metering segments.
//
// A new segment starts at the function entry and just after every
// instruction where control can enter the middle of a straight-line run or
// never reach what follows:
//
//	loop        its header is the target of backward branches
//	if, else    the start of each arm
//	end         of a block or an if: the target of forward branches
//	            (not of a loop: only fallthrough reaches a loop's end)
//	br, br_table, return, unreachable
//	            the code after them is dead until the next end or else
//
// br_if does not end a segment: a taken br_if leaves a segment whose rest
// was already paid for (one check per loop iteration instead of two; a loop
// whose exit test is a br_if is the common case). Calls do not end a
// segment either: a call that returns continues it, and one that traps ends
// the transaction.
func analyze(code []byte, p *priced) (*body, error) {
	b := &body{}
	var ctl []byte
	cur := int32(-1)
	newSeg := func(dead bool) {
		b.segs = append(b.segs, segment{dead: dead})
		cur = int32(len(b.segs) - 1)
	}
	newSeg(false)
	pendingSeg := true // the next instruction starts segment cur
	final := false     // the function's own end was read
	var pc uint32
	for pc < uint32(len(code)) {
		in, next, err := wasm.ReadInstr(code, pc)
		if err != nil {
			return nil, fmt.Errorf("offset %#x: %w", pc, err)
		}
		op := in.Opcode() // each vector instruction has its own price and NaN rule
		it := instr{op: op, start: pc, end: next, seg: -1, nest: uint32(len(ctl))}
		if pendingSeg {
			it.seg = cur
			pendingSeg = false
		}
		b.segs[cur].cost += p.cost(op)
		split, dead := false, false
		switch in.Op {
		case wasm.OpBlock:
			ctl = append(ctl, ctlBlock)
		case wasm.OpLoop:
			ctl = append(ctl, ctlLoop)
			split = true
		case wasm.OpIf:
			ctl = append(ctl, ctlIf)
			split = true
		case wasm.OpElse:
			split = true
		case wasm.OpEnd:
			if len(ctl) == 0 {
				// The function's final end.
				final = true
				if next != uint32(len(code)) {
					return nil, fmt.Errorf("offset %#x: code after the function's final end", next)
				}
				break
			}
			k := ctl[len(ctl)-1]
			ctl = ctl[:len(ctl)-1]
			split = k != ctlLoop
		case wasm.OpBrIf:
			// Not a boundary: the segment runs on past it (a superblock).
			b.blocks++
		case wasm.OpBrTable:
			split, dead = true, true
			if n := uint32(len(in.Labels)) + 1; n > b.maxTargets {
				b.maxTargets = n
			}
		case wasm.OpBr, wasm.OpReturn, wasm.OpUnreachable:
			split, dead = true, true
		case wasm.OpCall, wasm.OpCallIndirect:
			b.hasCalls = true
		}
		b.instrs = append(b.instrs, it)
		if split && next < uint32(len(code)) {
			newSeg(dead)
			pendingSeg = true
		}
		pc = next
	}
	if !final {
		return nil, fmt.Errorf("offset %#x: %w", len(code), wasm.ErrEndExpected)
	}
	b.blocks += len(b.segs)
	return b, nil
}
