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

// segment is a basic block in Ewasm's "superblock" sense: a run of
// instructions that, once entered at its first instruction, executes to its
// last one unless something traps. Its whole static cost is charged at
// its start.
type segment struct {
	cost uint64
	dead bool // starts after br, br_table, return or unreachable: never entered
}

// body is the analysis of one function body.
type body struct {
	instrs     []instr
	segs       []segment
	hasCalls   bool   // contains call or call_indirect
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
// instruction where control can enter or leave the middle of a straight
// line run:
//
//	loop        its header is the target of backward branches
//	if, else    the start of each arm
//	end         of a block or an if: the target of forward branches
//	            (not of a loop: only fallthrough reaches a loop's end)
//	br_if       its fallthrough runs only when the branch is not taken
//	br, br_table, return, unreachable
//	            the code after them is dead until the next end or else
//
// Calls do not end a segment: a call that returns continues the segment, and
// a call that traps ends the whole transaction, so charging the rest of the
// segment before the call changes no successful run's gas.
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
	var pc uint32
	for pc < uint32(len(code)) {
		in, next, err := wasm.ReadInstr(code, pc)
		if err != nil {
			return nil, fmt.Errorf("offset %#x: %w", pc, err)
		}
		it := instr{op: in.Op, start: pc, end: next, seg: -1, nest: uint32(len(ctl))}
		if pendingSeg {
			it.seg = cur
			pendingSeg = false
		}
		b.segs[cur].cost += p.cost(in.Op)
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
				if next != uint32(len(code)) {
					return nil, fmt.Errorf("offset %#x: code after the function's final end", next)
				}
				break
			}
			k := ctl[len(ctl)-1]
			ctl = ctl[:len(ctl)-1]
			split = k != ctlLoop
		case wasm.OpBrIf:
			split = true
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
	if len(b.instrs) == 0 || b.instrs[len(b.instrs)-1].op != wasm.OpEnd || len(ctl) != 0 {
		return nil, fmt.Errorf("offset %#x: %w", len(code), wasm.ErrEndExpected)
	}
	return b, nil
}
