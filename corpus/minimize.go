package corpus

import (
	"context"

	"github.com/refereevm/referee/wasm"
)

// Predicate reports whether a candidate module still shows the
// divergence being minimized. Minimize only calls it on modules that pass
// wasm.Validate, and never modifies a module after offering it.
type Predicate func(*wasm.Module) bool

// MinimizeOptions bounds a minimization.
type MinimizeOptions struct {
	// MaxTries bounds predicate evaluations (0: DefaultMaxTries).
	MaxTries int
	// Limits is what candidates are validated against (zero:
	// wasm.DefaultLimits).
	Limits wasm.ResourceLimits
}

// DefaultMaxTries is the default predicate budget of Minimize.
const DefaultMaxTries = 4000

// MinimizeResult is the smallest module found.
type MinimizeResult struct {
	Module   *wasm.Module
	Tries    int  // predicate evaluations
	Steps    int  // accepted reductions
	Complete bool // false if the budget or the context stopped it early
}

// maxRounds bounds the passes over the whole module; each round that
// changes nothing ends the minimization.
const maxRounds = 6

// Minimize shrinks m by delta debugging while keep holds. In rounds until
// nothing changes it tries: dropping each export; dropping each defined
// function (calls to it become drops of its arguments and zero constants of
// its results, ref.func of it becomes ref.null, later indices shift down);
// dropping element and data segments; deleting ranges of instructions,
// halving the range size down to single instructions; replacing an
// instruction, or a whole block, loop or if, by drops of its operands and a
// zero constant of its result type; setting constants to 0, 1 or -1 or
// halving them; and dropping globals, tables, the memory, types and locals
// nothing uses any more. A
// candidate is offered to keep only if it validates, so every accepted step
// is a valid module. m itself is not modified; the result shares no
// mutable state with it.
func Minimize(ctx context.Context, m *wasm.Module, keep Predicate, o MinimizeOptions) MinimizeResult {
	mz := &minimizer{ctx: ctx, cur: m, keep: keep, max: o.MaxTries, lim: o.Limits}
	if mz.max <= 0 {
		mz.max = DefaultMaxTries
	}
	if mz.lim == (wasm.ResourceLimits{}) {
		mz.lim = wasm.DefaultLimits()
	}
	for round := 0; round < maxRounds && !mz.stopped; round++ {
		before := mz.steps
		mz.dropExports()
		mz.dropFuncs()
		mz.dropSegments()
		for fn := 0; fn < len(mz.cur.Codes) && !mz.stopped; fn++ {
			mz.deleteRanges(fn)
			mz.replaceInstrs(fn)
			mz.deletePushDrops(fn)
			mz.unwrapBlocks(fn)
			mz.simplifyConsts(fn)
		}
		mz.dropItems()
		if mz.steps == before {
			break
		}
	}
	return MinimizeResult{Module: mz.cur, Tries: mz.tries, Steps: mz.steps, Complete: !mz.stopped}
}

type minimizer struct {
	ctx     context.Context
	cur     *wasm.Module
	keep    Predicate
	max     int
	lim     wasm.ResourceLimits
	tries   int
	steps   int
	stopped bool
}

// try accepts cand if it validates and keep holds.
func (mz *minimizer) try(cand *wasm.Module) bool {
	if mz.stopped || cand == nil {
		return false
	}
	if mz.tries >= mz.max || mz.ctx.Err() != nil {
		mz.stopped = true
		return false
	}
	if wasm.Validate(cand, mz.lim) != nil {
		return false
	}
	mz.tries++
	if !mz.keep(cand) {
		return false
	}
	mz.cur = cand
	mz.steps++
	return true
}

func (mz *minimizer) dropExports() {
	for i := len(mz.cur.Exports) - 1; i >= 0 && !mz.stopped; i-- {
		if i >= len(mz.cur.Exports) {
			continue
		}
		c := *mz.cur
		c.Exports = remove(mz.cur.Exports, i)
		mz.try(&c)
	}
}

func (mz *minimizer) dropFuncs() {
	for d := len(mz.cur.Funcs) - 1; d >= 0 && !mz.stopped; d-- {
		if d < len(mz.cur.Funcs) {
			mz.try(withoutFunc(mz.cur, d))
		}
	}
}

func (mz *minimizer) dropSegments() {
	for i := len(mz.cur.Elems) - 1; i >= 0 && !mz.stopped; i-- {
		if i < len(mz.cur.Elems) {
			mz.try(withoutSegment(mz.cur, i, false))
		}
	}
	for i := len(mz.cur.Datas) - 1; i >= 0 && !mz.stopped; i-- {
		if i < len(mz.cur.Datas) {
			mz.try(withoutSegment(mz.cur, i, true))
		}
	}
}

// deleteRanges deletes ranges of instructions of defined function fn
// (never its final end): ranges of half the body, then quarters, aligned
// on their size, and every range of 8 down to 1 instructions at every
// position.
func (mz *minimizer) deleteRanges(fn int) {
	ins, ok := decodeBody(mz.cur.Codes[fn].Body)
	if !ok {
		return
	}
	n := len(ins) - 1
	var sizes []int
	for s := n / 2; s > 8; s /= 2 {
		sizes = append(sizes, s)
	}
	for s := min(8, n); s >= 1; s-- {
		sizes = append(sizes, s)
	}
	for _, size := range sizes {
		step := 1
		if size > 8 {
			step = size
		}
		for start := 0; start+size <= len(ins)-1 && !mz.stopped; {
			cand := append(append([]wasm.Instr(nil), ins[:start]...), ins[start+size:]...)
			if mz.try(withBody(mz.cur, fn, cand)) {
				ins = cand
				continue
			}
			start += step
		}
	}
}

// unwrapBlocks replaces each block or loop by its body, and each if by
// its condition dropped and then one of its arms, when no branch targets
// the construct itself (branches past it are renumbered).
func (mz *minimizer) unwrapBlocks(fn int) {
	ins, ok := decodeBody(mz.cur.Codes[fn].Body)
	if !ok {
		return
	}
	for i := 0; i < len(ins) && !mz.stopped; i++ {
		op := ins[i].Op
		if op != wasm.OpBlock && op != wasm.OpLoop && op != wasm.OpIf {
			continue
		}
		j := matchingEnd(ins, i)
		if j < 0 {
			continue
		}
		var arms [][]wasm.Instr
		if op == wasm.OpIf {
			k := matchingElse(ins, i, j)
			if k < 0 {
				arms = [][]wasm.Instr{ins[i+1 : j]}
			} else {
				arms = [][]wasm.Instr{ins[i+1 : k], ins[k+1 : j]}
			}
		} else {
			arms = [][]wasm.Instr{ins[i+1 : j]}
		}
		for _, arm := range arms {
			body, ok := relabel(arm)
			if !ok {
				continue
			}
			cand := append([]wasm.Instr(nil), ins[:i]...)
			if op == wasm.OpIf {
				cand = append(cand, wasm.Instr{Op: wasm.OpDrop})
			}
			cand = append(append(cand, body...), ins[j+1:]...)
			if mz.try(withBody(mz.cur, fn, cand)) {
				ins = cand
				i--
				break
			}
		}
	}
}

// matchingElse returns the index of the else of the if at i whose end is
// j, or -1.
func matchingElse(ins []wasm.Instr, i, j int) int {
	depth := 0
	for k := i + 1; k < j; k++ {
		switch ins[k].Op {
		case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
			depth++
		case wasm.OpEnd:
			depth--
		case wasm.OpElse:
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// relabel returns a copy of the body of a construct being removed with
// every branch past the construct moved one label down; false if a
// branch targets the construct itself.
func relabel(body []wasm.Instr) ([]wasm.Instr, bool) {
	out := make([]wasm.Instr, len(body))
	depth := uint32(0)
	fix := func(l *uint32) bool {
		switch {
		case *l == depth:
			return false
		case *l > depth:
			*l--
		}
		return true
	}
	for k, in := range body {
		switch in.Op {
		case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
			depth++
		case wasm.OpEnd:
			depth--
		case wasm.OpBr, wasm.OpBrIf:
			if !fix(&in.Index) {
				return nil, false
			}
		case wasm.OpBrTable:
			in.Labels = append([]uint32(nil), in.Labels...)
			for x := range in.Labels {
				if !fix(&in.Labels[x]) {
					return nil, false
				}
			}
			if !fix(&in.Index) {
				return nil, false
			}
		}
		out[k] = in
	}
	return out, true
}

// deletePushDrops deletes a drop together with an earlier instruction
// that only pushes a value (a constant, local.get or global.get), the
// nearest first: what replacing operands by constants leaves behind when
// the push and its drop are not next to each other. Pushes at most 16
// instructions before the drop are tried.
func (mz *minimizer) deletePushDrops(fn int) {
	ins, ok := decodeBody(mz.cur.Codes[fn].Body)
	if !ok {
		return
	}
	for j := 0; j < len(ins) && !mz.stopped; j++ {
		if ins[j].Op != wasm.OpDrop {
			continue
		}
		for i := j - 1; i >= max(0, j-16) && !mz.stopped; i-- {
			if op := ins[i].Op; !isConst(op) && op != wasm.OpLocalGet && op != wasm.OpGlobalGet {
				continue
			}
			cand := append(append(append([]wasm.Instr(nil), ins[:i]...), ins[i+1:j]...), ins[j+1:]...)
			if mz.try(withBody(mz.cur, fn, cand)) {
				ins, j = cand, i-1
				break
			}
		}
	}
}

// replaceInstrs replaces each instruction (a block, loop or if with
// everything up to its end) by drops of up to three operands followed by
// nothing or one zero constant, whichever validates and keeps the
// divergence first, the shortest first.
func (mz *minimizer) replaceInstrs(fn int) {
	ins, ok := decodeBody(mz.cur.Codes[fn].Body)
	if !ok {
		return
	}
	for i := 0; i < len(ins)-1 && !mz.stopped; i++ {
		op := ins[i].Op
		if op == wasm.OpEnd || op == wasm.OpElse || op == wasm.OpDrop || isConst(op) {
			continue
		}
		j := i
		if op == wasm.OpBlock || op == wasm.OpLoop || op == wasm.OpIf {
			if j = matchingEnd(ins, i); j < 0 {
				continue
			}
		}
		for _, repl := range replacements() {
			cand := append(append(append([]wasm.Instr(nil), ins[:i]...), repl...), ins[j+1:]...)
			if mz.try(withBody(mz.cur, fn, cand)) {
				ins = cand
				break
			}
		}
	}
}

// replacements lists the replacement sequences in order of length: a
// zero constant of each type, then one to three drops followed by
// nothing or a zero constant.
func replacements() [][]wasm.Instr {
	types := []wasm.ValType{wasm.I32, wasm.I64, wasm.F32, wasm.F64, wasm.FuncRef, wasm.ExternRef}
	var out [][]wasm.Instr
	for _, t := range types {
		out = append(out, []wasm.Instr{wasm.ZeroConst(t)})
	}
	drop := wasm.Instr{Op: wasm.OpDrop}
	for k := 1; k <= 3; k++ {
		drops := make([]wasm.Instr, k)
		for i := range drops {
			drops[i] = drop
		}
		out = append(out, drops)
		for _, t := range types {
			out = append(out, append(append([]wasm.Instr(nil), drops...), wasm.ZeroConst(t)))
		}
	}
	return out
}

// simplifyConsts sets each integer constant to 0, 1 or -1, else halves
// it (toward zero) while the divergence holds, and sets each float
// constant to +0.
func (mz *minimizer) simplifyConsts(fn int) {
	ins, ok := decodeBody(mz.cur.Codes[fn].Body)
	if !ok {
		return
	}
	set := func(i int, v uint64) bool {
		if ins[i].Const == v {
			return false
		}
		cand := append([]wasm.Instr(nil), ins...)
		cand[i].Const = v
		if mz.try(withBody(mz.cur, fn, cand)) {
			ins = cand
			return true
		}
		return false
	}
	for i := range ins {
		switch ins[i].Op {
		case wasm.OpI32Const, wasm.OpI64Const:
			if ins[i].Const == 0 || set(i, 0) || ins[i].Const == 1 || set(i, 1) || ins[i].Const == ^uint64(0) || set(i, ^uint64(0)) {
				continue
			}
			for v := int64(ins[i].Const); v/2 != 0 && !mz.stopped && set(i, uint64(v/2)); v /= 2 {
			}
		case wasm.OpF32Const, wasm.OpF64Const:
			set(i, 0)
		}
	}
}

func isConst(op wasm.Opcode) bool {
	switch op {
	case wasm.OpI32Const, wasm.OpI64Const, wasm.OpF32Const, wasm.OpF64Const, wasm.OpRefNull:
		return true
	}
	return false
}

// matchingEnd returns the index of the end closing the block, loop or if
// at i, or -1.
func matchingEnd(ins []wasm.Instr, i int) int {
	depth := 0
	for j := i; j < len(ins); j++ {
		switch ins[j].Op {
		case wasm.OpBlock, wasm.OpLoop, wasm.OpIf:
			depth++
		case wasm.OpEnd:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// decodeBody is wasm.DecodeBody for the minimizer, which only needs to know
// whether a body decodes.
func decodeBody(body []byte) ([]wasm.Instr, bool) {
	ins, err := wasm.DecodeBody(body)
	return ins, err == nil
}

// withBody returns a copy of m whose defined function fn has body ins.
func withBody(m *wasm.Module, fn int, ins []wasm.Instr) *wasm.Module {
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	c.Codes[fn].Body = wasm.EncodeBody(ins)
	return &c
}

func remove[T any](s []T, i int) []T {
	return append(append([]T(nil), s[:i]...), s[i+1:]...)
}

// CountInstrs returns the number of instructions in m's function bodies
// (final ends included), or -1 if a body does not decode.
func CountInstrs(m *wasm.Module) int {
	n := 0
	for _, c := range m.Codes {
		ins, ok := decodeBody(c.Body)
		if !ok {
			return -1
		}
		n += len(ins)
	}
	return n
}
