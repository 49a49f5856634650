package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"sync"

	"github.com/refereevm/referee/wasm"
)

var zeroPage [DirtyPageSize]byte

func isZero(p []byte) bool { return p == nil || bytes.Equal(p, zeroPage[:len(p)]) }

// memSnapshot is a memory right after instantiation: copies of its
// non-zero 4 KiB pages (most of a fresh memory is zero, so this is cheap).
type memSnapshot struct {
	pages map[int][]byte // page index -> bytes; lookups only
}

func snapshot(mem pagedMemory) memSnapshot {
	s := memSnapshot{pages: map[int][]byte{}}
	for i := range mem.numPages() {
		if p := mem.page(i); !isZero(p) {
			s.pages[i] = bytes.Clone(p)
		}
	}
	return s
}

// initialMemory returns the exported memory of p right after instantiation.
// For a module without a start function whose exported "memory" is its own
// and whose active data segments all have constant offsets, that memory is
// a function of the module (zeros with the segments written in order): it
// is computed once per module and shared by every run, and mem is not read
// (reading a fresh memory costs a page fault per 4 KiB page on wasmtime).
// Otherwise (a start function could write memory) it is mem's snapshot.
// The transaction's dirty pages and memory hash are then computed from the
// engine's memory after the run, as always.
func initialMemory(p *Prepared, mem pagedMemory) memSnapshot {
	p.initOnce.Do(func() { p.initMem, p.initKnown = moduleMemory(p.Module) })
	if p.initKnown {
		return p.initMem
	}
	return snapshot(mem)
}

// preparedMemory is the part of a Prepared that initialMemory fills in.
type preparedMemory struct {
	initOnce  sync.Once
	initMem   memSnapshot
	initKnown bool
}

// moduleMemory computes the exported memory's non-zero 4 KiB pages after
// instantiation from the module alone; false if the module does not allow
// it (see initialMemory) or the segments do not fit (instantiation traps).
func moduleMemory(m *wasm.Module) (memSnapshot, bool) {
	s := memSnapshot{pages: map[int][]byte{}}
	if m == nil || m.HasStart || m.NumImports(wasm.ExternMemory) != 0 {
		return s, false
	}
	exported := false
	for _, e := range m.Exports {
		if e.Name == "memory" {
			exported = e.Kind == wasm.ExternMemory && e.Index == 0
			if !exported {
				return s, false
			}
		}
	}
	if !exported || len(m.Memories) == 0 {
		return s, true // no exported memory: the engines' view is empty too
	}
	size := uint64(m.Memories[0].Limits.Min) * 65536
	for _, d := range m.Datas {
		if d.Mode != wasm.SegmentActive {
			continue
		}
		if d.Memory != 0 || d.Offset.Op != byte(wasm.OpI32Const) {
			return s, false
		}
		off := uint64(uint32(d.Offset.Imm))
		if off+uint64(len(d.Init)) > size {
			return s, false
		}
		for k := 0; k < len(d.Init); {
			i := int((off + uint64(k)) / DirtyPageSize)
			at := int((off + uint64(k)) % DirtyPageSize)
			pg, ok := s.pages[i]
			if !ok {
				pg = make([]byte, DirtyPageSize)
				s.pages[i] = pg
			}
			k += copy(pg[at:], d.Init[k:])
		}
	}
	for i, pg := range s.pages {
		if isZero(pg) {
			delete(s.pages, i) // a segment of zeros leaves its page zero
		}
	}
	return s, true
}

// scanMemory reads the memory after a run once and returns its hash
// (memoryHash) and its dirty pages against the snapshot (dirty).
func scanMemory(mem pagedMemory, init memSnapshot) ([32]byte, uint32) {
	h := sha256.New()
	var u [4]byte
	binary.BigEndian.PutUint32(u[:], uint32(mem.numPages()*DirtyPageSize/65536))
	h.Write(u[:])
	var dirty uint32
	for i := range mem.numPages() {
		p := mem.page(i)
		zero := isZero(p)
		if !zero {
			binary.BigEndian.PutUint32(u[:], uint32(i))
			h.Write(u[:])
			h.Write(p)
		}
		if before, ok := init.pages[i]; ok {
			if zero || !bytes.Equal(before, p) {
				dirty++
			}
		} else if !zero {
			dirty++
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out, dirty
}

// memoryHash is sha256 over an injective encoding of the memory's bytes
// that skips zero pages: u32 big-endian size in 64 KiB pages, then for
// each 4 KiB page that is not all zero, its u32 big-endian index and its
// 4,096 bytes.
func memoryHash(mem pagedMemory) [32]byte {
	h, _ := scanMemory(mem, memSnapshot{})
	return h
}
