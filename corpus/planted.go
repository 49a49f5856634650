package corpus

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/refereevm/referee/diff"
	"github.com/refereevm/referee/wasm"
)

// PlantedOp is an engine with a planted bug in one rare case of one
// operator, for measuring how fast a campaign finds a bug and how small
// its finding gets. It is the reference machine running the module with
// every instance of the operator rewritten into code that computes the
// right result except in the bug's rare case (PlantedBugs lists them, with
// the rewrites in planted_bugs.go): each is a mistake real engines have
// made or could make, at an edge of the operator's domain (signed zeros,
// NaN signs, INT_MIN / -1, shift and rotate counts of the width or more,
// truncation bounds, ties, accesses at the end of memory or across a page,
// zero lengths).
//
// Unlike diff.Planted, which corrupts one transaction of a block whatever
// it does, PlantedOp's bug shows only on inputs that reach the case, as a
// real engine bug does. Gas is unchanged: the rewrite happens after
// metering and adds no charges.
type PlantedOp struct {
	Op  wasm.Opcode
	bug *plantedBug

	mu    sync.Mutex
	cache map[[32]byte]*diff.Prepared // instrumented module hash -> rewritten (lookups only)
}

// PlantedBug describes one bug PlantedOp can plant.
type PlantedBug struct {
	Name string // the operator's name, as NewPlantedOp takes it
	Case string // the rare case and what goes wrong in it
}

// PlantedBugs lists the bugs PlantedOp can plant, in a fixed order.
func PlantedBugs() []PlantedBug {
	out := make([]PlantedBug, len(plantedBugs))
	for i, b := range plantedBugs {
		out[i] = PlantedBug{Name: b.op.String(), Case: b.doc}
	}
	return out
}

// PlantedOps lists the operators PlantedOp can corrupt (PlantedBugs'
// names).
var PlantedOps = func() []string {
	var out []string
	for _, b := range plantedBugs {
		out = append(out, b.op.String())
	}
	return out
}()

// NewPlantedOp returns the planted engine for an operator of PlantedOps
// ("" means i64.rem_s).
func NewPlantedOp(op string) (*PlantedOp, error) {
	if op == "" {
		op = "i64.rem_s"
	}
	for i := range plantedBugs {
		if b := &plantedBugs[i]; b.op.String() == op {
			return &PlantedOp{Op: b.op, bug: b, cache: map[[32]byte]*diff.Prepared{}}, nil
		}
	}
	return nil, fmt.Errorf("planted operator %q: known: %s", op, strings.Join(PlantedOps, ", "))
}

// Name returns "planted-op:OP".
func (p *PlantedOp) Name() string { return "planted-op:" + p.Op.String() }

// Run runs the reference machine on the rewritten module.
func (p *PlantedOp) Run(ctx context.Context, req *diff.Request) (diff.Outcome, error) {
	prog, err := p.rewritten(req.Prog)
	if err != nil {
		return diff.Outcome{}, err
	}
	r := *req
	r.Prog = prog
	return diff.Reference{}.Run(ctx, &r)
}

func (p *PlantedOp) rewritten(orig *diff.Prepared) (*diff.Prepared, error) {
	p.mu.Lock()
	prog := p.cache[orig.Hash]
	p.mu.Unlock()
	if prog != nil {
		return prog, nil
	}
	m, err := plantBug(orig.Module, p.bug)
	if err != nil {
		return nil, err
	}
	prog, err = diff.LoadPrepared(wasm.Encode(m))
	if err != nil {
		return nil, fmt.Errorf("BUG: planted: rewritten module: %w", err)
	}
	p.mu.Lock()
	if len(p.cache) > 256 {
		p.cache = map[[32]byte]*diff.Prepared{}
	}
	p.cache[orig.Hash] = prog
	p.mu.Unlock()
	return prog, nil
}

// plantBug rewrites every instance of b.op in m. Each function that has
// one gets b's scratch locals, appended after its locals, and each
// instance becomes b.rewrite's sequence.
func plantBug(m *wasm.Module, b *plantedBug) (*wasm.Module, error) {
	c := *m
	c.Codes = append([]wasm.Code(nil), m.Codes...)
	nimp := m.NumImports(wasm.ExternFunc)
	for i := range c.Codes {
		ins, ok := decodeBody(c.Codes[i].Body)
		if !ok {
			return nil, fmt.Errorf("planted: func[%d]: body does not decode", nimp+i)
		}
		ft, ok := m.FuncType(uint32(nimp + i))
		if !ok {
			return nil, fmt.Errorf("planted: func[%d]: no type", nimp+i)
		}
		first := uint32(uint64(len(ft.Params)) + c.Codes[i].NumLocals)
		l := make([]uint32, len(b.locals))
		for k := range l {
			l[k] = first + uint32(k)
		}
		var out []wasm.Instr
		hit := false
		for _, in := range ins {
			if in.Opcode() != b.op {
				out = append(out, in)
				continue
			}
			hit = true
			out = append(out, b.rewrite(in, l)...)
		}
		if !hit {
			continue
		}
		locals := append([]wasm.LocalDecl(nil), c.Codes[i].Locals...)
		for _, t := range b.locals {
			if n := len(locals); n > 0 && locals[n-1].Type == t {
				locals[n-1].Count++
			} else {
				locals = append(locals, wasm.LocalDecl{Count: 1, Type: t})
			}
		}
		c.Codes[i].Locals = locals
		c.Codes[i].NumLocals += uint64(len(b.locals))
		c.Codes[i].Body = wasm.EncodeBody(out)
	}
	return &c, nil
}
