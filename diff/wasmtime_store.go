//go:build cgo

package diff

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bytecodealliance/wasmtime-go/v39"

	"github.com/refereevm/referee/wasm"
)

// Instances are reused across transactions. A fresh wasmtime store and
// instance per transaction cost more than the transaction itself: creating
// and dropping them (a memory mapping each), looking the exports up again
// (a cgo call and a finalizer each) and reading a memory whose every page
// faults in afresh. So each instance is reset after its run to exactly the
// state instantiation gave it and kept for the next run of the same
// contract:
//
//   - memory: every 4 KiB page that differs from the memory right after
//     instantiation (initialMemory) is copied back; an instance whose memory
//     grew is dropped (a memory cannot shrink);
//   - globals: every mutable global is set back to the value it had right
//     after instantiation. Globals the module does not export are exported
//     for that, under reserved names, in the module wasmtime compiles (an
//     export adds no behaviour: it only lets the host read and write);
//   - tables, element and data segments: a module that can change them
//     (table.set, table.grow, table.fill, table.copy, table.init,
//     elem.drop, data.drop) is not reused: every run instantiates afresh.
//
// A run that fails (engine-crash, engine-timeout, rejected) drops its
// instance. TestWasmtimeReuse checks a reused instance against fresh ones.

// resetExportPrefix names the added exports of mutable globals the module
// does not export itself ("referee_reset_3" for global 3). Instrument
// reserves the referee_ prefix's ABI names; these are never in
// Prepared.Globals, so no outcome sees them.
const resetExportPrefix = "referee_reset_"

// Idle instances kept: per contract, and in linear memory over all.
const (
	instMaxIdle      = 4
	instMaxIdlePages = 1024 // 64 MiB
)

// wtPlan is how wasmtime runs one prepared contract: the module it
// compiles and, if instances may be reused, the globals to reset and the
// idle instances.
type wtPlan struct {
	mod      *wasmtime.Module
	reusable bool
	resets   []string // export names of every mutable global

	mu   sync.Mutex
	idle []*wtInst
}

// reuseCount counts runs on a reused instance (for tests).
type reuseCount = atomic.Int64

// wtSlot is a store's data: the run using the store.
type wtSlot struct{ run *wtRun }

// wtInst is one instance in its own store, with its exports looked up and
// the values its mutable globals had right after instantiation.
type wtInst struct {
	store *wasmtime.Store
	slot  *wtSlot
	inst  *wasmtime.Instance
	view  *wtView
	init  []wasmtime.Val // values of plan.resets after instantiation
	pages uint64         // memory size after instantiation
}

func (i *wtInst) close() { i.store.Close() }

// newPlan compiles p for wasmtime: as is if its instances cannot be reused,
// otherwise with its unexported mutable globals exported.
func (w *Wasmtime) newPlan(p *Prepared) (*wtPlan, error) {
	m := p.Module
	plan := &wtPlan{reusable: reusable(p)}
	code := p.Code
	if plan.reusable {
		exported := map[uint32]string{}
		for _, e := range m.Exports {
			if e.Kind == wasm.ExternGlobal {
				exported[e.Index] = e.Name
			}
		}
		var added []wasm.Export
		for i, g := range m.Globals {
			if !g.Type.Mutable {
				continue
			}
			idx := uint32(i) // contracts import no globals (reusable checks it)
			name, ok := exported[idx]
			if !ok {
				name = fmt.Sprintf("%s%d", resetExportPrefix, idx)
				added = append(added, wasm.Export{Name: name, Kind: wasm.ExternGlobal, Index: idx})
			}
			plan.resets = append(plan.resets, name)
		}
		if len(added) > 0 {
			v := *m
			v.Exports = append(append([]wasm.Export(nil), m.Exports...), added...)
			code = wasm.Encode(&v)
		}
	}
	mod, err := wasmtime.NewModule(w.engine, code)
	if err != nil {
		return nil, failf(ClassRejected, "wasmtime: compile: %v", firstLine(err.Error()))
	}
	plan.mod = mod
	return plan, nil
}

// reusable reports whether p's instances can be reset to their state
// right after instantiation: nothing but memory and mutable globals can
// change, the memory right after instantiation is known from the module,
// no global, memory or table is imported, no mutable global is a v128,
// and a memory is exported as "memory" (reset rewrites it through that).
func reusable(p *Prepared) bool {
	m := p.Module
	for _, im := range m.Imports {
		if im.Kind != wasm.ExternFunc {
			return false
		}
	}
	for _, e := range m.Exports {
		if len(e.Name) > len(resetExportPrefix) && e.Name[:len(resetExportPrefix)] == resetExportPrefix {
			return false // would collide with an added export
		}
	}
	if initialMemory(p, sliceMem(nil)); !p.initKnown {
		return false
	}
	for _, g := range m.Globals {
		if g.Type.Mutable && g.Type.Type == wasm.V128 {
			return false // wasmtime-go has no v128 value to read or reset it with
		}
	}
	if len(m.Memories) > 0 {
		// reset rewrites the memory through its export: a memory that is not
		// exported as "memory" would keep one run's writes into the next
		exported := false
		for _, e := range m.Exports {
			exported = exported || e.Name == "memory" && e.Kind == wasm.ExternMemory && e.Index == 0
		}
		if !exported {
			return false
		}
	}
	for _, c := range m.Codes {
		for pc := uint32(0); pc < uint32(len(c.Body)); {
			in, next, err := wasm.ReadInstr(c.Body, pc)
			if err != nil {
				return false
			}
			switch in.Op {
			case wasm.OpTableSet, wasm.OpTableGrow, wasm.OpTableFill, wasm.OpTableCopy, wasm.OpTableInit,
				wasm.OpElemDrop, wasm.OpDataDrop:
				return false
			}
			pc = next
		}
	}
	return true
}

// instance returns an idle instance of the plan, or instantiates one (the
// error is instantiate's).
func (w *Wasmtime) instance(plan *wtPlan) (*wtInst, error) {
	plan.mu.Lock()
	if n := len(plan.idle); n > 0 {
		i := plan.idle[n-1]
		plan.idle = plan.idle[:n-1]
		plan.mu.Unlock()
		w.reused.Add(1)
		w.mu.Lock()
		w.idlePages -= i.pages
		w.mu.Unlock()
		return i, nil
	}
	plan.mu.Unlock()
	slot := &wtSlot{}
	store := wasmtime.NewStoreWithData(w.engine, slot)
	inst, err := w.linker.Instantiate(store, plan.mod)
	if err != nil {
		store.Close()
		return nil, err
	}
	i := &wtInst{store: store, slot: slot, inst: inst, view: newWtView(inst, store)}
	i.pages = i.view.pages()
	for _, name := range plan.resets {
		g := i.view.exportedGlobal(name)
		if g == nil {
			store.Close()
			return nil, fmt.Errorf("BUG: wasmtime: no exported global %q to reset", name)
		}
		i.init = append(i.init, g.Get(store))
	}
	return i, nil
}

// release resets i after a run that produced an outcome and keeps it for
// the plan's next run, or drops it.
func (w *Wasmtime) release(plan *wtPlan, p *Prepared, i *wtInst, ok bool) {
	i.slot.run = nil
	if !ok || !plan.reusable || !i.reset(plan, p) {
		i.close()
		return
	}
	w.mu.Lock()
	keep := !w.closed && w.idlePages+i.pages <= instMaxIdlePages
	if keep {
		w.idlePages += i.pages
	}
	w.mu.Unlock()
	if keep {
		plan.mu.Lock()
		if keep = len(plan.idle) < instMaxIdle; keep {
			plan.idle = append(plan.idle, i)
		}
		plan.mu.Unlock()
		if !keep {
			w.mu.Lock()
			w.idlePages -= i.pages
			w.mu.Unlock()
		}
	}
	if !keep {
		i.close()
	}
}

// reset puts i back in its state right after instantiation; false if it
// cannot (its memory grew).
func (i *wtInst) reset(plan *wtPlan, p *Prepared) bool {
	if i.view.pages() != i.pages {
		return false
	}
	init := initialMemory(p, sliceMem(nil))
	mem := i.view.memory()
	for k := range mem.numPages() {
		pg := mem.page(k)
		want, ok := init.pages[k]
		if !ok {
			want = zeroPage[:]
		}
		if !bytes.Equal(pg, want) {
			copy(pg, want)
		}
	}
	for k, name := range plan.resets {
		if err := i.view.exportedGlobal(name).Set(i.store, i.init[k]); err != nil {
			return false
		}
	}
	return true
}

// closePlan drops a plan's idle instances and its module (the plan was
// evicted from the cache and no run uses it).
func (w *Wasmtime) closePlan(plan *wtPlan) {
	plan.mu.Lock()
	idle := plan.idle
	plan.idle = nil
	plan.mu.Unlock()
	for _, i := range idle {
		w.mu.Lock()
		w.idlePages -= i.pages
		w.mu.Unlock()
		i.close()
	}
	plan.mod.Close()
}
