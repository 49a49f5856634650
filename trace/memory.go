package trace

import "encoding/binary"

// PageSize is the size of one storage page of a memory (4 KiB). A Wasm
// page (64 KiB) is WasmPageSize / PageSize = 16 storage pages.
const (
	PageSize      = 4096
	pageShift     = 12
	WasmPageSize  = 65536
	pagesPerWasm  = WasmPageSize / PageSize
	wasmPageShift = 16
)

// Memory is a linear memory held as 4 KiB pages. An untouched page is
// nil and reads as zeros; the first write to a page allocates it. Each page
// has a dirty bit, set by every write to it, for incremental hashing.
type Memory struct {
	// pages has Size()*16 entries; nil entries are all-zero pages.
	pages []*[PageSize]byte
	// size is the current size in 64 KiB Wasm pages.
	size uint32
	// max is the effective maximum in Wasm pages: the declared maximum
	// capped by Config.MaxMemoryPages.
	max uint32
	// declared is the memory type's limits as declared (import matching
	// uses the current size as min and this max).
	declMax    uint32
	declHasMax bool
	// dirty has one bit per storage page, set when the page is written.
	dirty []uint64
	// rec, while a recording machine runs a host function, is the effect
	// the exported writes (Write, SetPage) are appended to, and addr this
	// memory's store address (trace/host_tape.go). Not state.
	rec  *HostEffect
	addr uint32
}

func newMemory(min, max uint32, hasMax bool, capPages uint32) *Memory {
	mm := &Memory{declMax: max, declHasMax: hasMax}
	mm.max = capPages
	if hasMax && max < capPages {
		mm.max = max
	}
	mm.resize(min)
	return mm
}

// resize sets the size to n Wasm pages (n >= size).
func (mm *Memory) resize(n uint32) {
	np := int(n) * pagesPerWasm
	if np > cap(mm.pages) {
		p := make([]*[PageSize]byte, np, np+np/4)
		copy(p, mm.pages)
		mm.pages = p
	} else {
		mm.pages = mm.pages[:np]
	}
	words := (np + 63) / 64
	for len(mm.dirty) < words {
		mm.dirty = append(mm.dirty, 0)
	}
	mm.size = n
}

// grow adds delta Wasm pages and returns the old size, or -1 (as uint32)
// when the result would exceed the maximum.
func (mm *Memory) grow(delta uint32) uint32 {
	old := mm.size
	if uint64(old)+uint64(delta) > uint64(mm.max) {
		return 0xffffffff
	}
	mm.resize(old + delta)
	return old
}

// Size returns the current size in 64 KiB Wasm pages.
func (mm *Memory) Size() uint32 { return mm.size }

// Max returns the effective maximum in Wasm pages.
func (mm *Memory) Max() uint32 { return mm.max }

// NumPages returns the number of 4 KiB storage pages (Size()*16).
func (mm *Memory) NumPages() int { return len(mm.pages) }

// Page returns storage page i, or nil if it was never written (all zeros).
// The caller must not modify it. While a recording machine runs a host
// function, Page returns a copy, so that host code cannot write memory
// behind the recorder (trace/host_tape.go).
func (mm *Memory) Page(i int) *[PageSize]byte {
	p := mm.pages[i]
	if p == nil || mm.rec == nil {
		return p
	}
	cp := *p
	return &cp
}

// Dirty reports whether storage page i was written since the last ClearDirty.
func (mm *Memory) Dirty(i int) bool { return mm.dirty[i>>6]&(1<<(uint(i)&63)) != 0 }

// ClearDirty clears every dirty bit.
func (mm *Memory) ClearDirty() {
	for i := range mm.dirty {
		mm.dirty[i] = 0
	}
}

// Read copies len(dst) bytes at addr into dst; ok is false if out of bounds.
func (mm *Memory) Read(addr uint64, dst []byte) bool {
	if addr+uint64(len(dst)) > uint64(mm.size)<<wasmPageShift {
		return false
	}
	mm.read(addr, dst)
	return true
}

// Write copies src to addr; ok is false if out of bounds (nothing written).
func (mm *Memory) Write(addr uint64, src []byte) bool {
	if addr+uint64(len(src)) > uint64(mm.size)<<wasmPageShift {
		return false
	}
	mm.write(addr, src)
	mm.noteWrite(addr, src)
	return true
}

// SetPage replaces storage page i with a copy of *p (nil = zero page) and
// marks it dirty. A recording machine records it as a write of the whole
// page.
func (mm *Memory) SetPage(i int, p *[PageSize]byte) {
	if p != nil {
		cp := *p
		p = &cp
	}
	mm.pages[i] = p
	mm.markDirty(i)
	if mm.rec != nil {
		var data [PageSize]byte
		if p != nil {
			data = *p
		}
		mm.noteWrite(uint64(i)*PageSize, data[:])
	}
}

func (mm *Memory) markDirty(i int) { mm.dirty[i>>6] |= 1 << (uint(i) & 63) }

// page returns storage page i for writing, allocating it if needed.
func (mm *Memory) wpage(i uint64) *[PageSize]byte {
	p := mm.pages[i]
	if p == nil {
		p = new([PageSize]byte)
		mm.pages[i] = p
	}
	mm.dirty[i>>6] |= 1 << (i & 63)
	return p
}

// read copies bytes from memory (bounds already checked).
func (mm *Memory) read(addr uint64, dst []byte) {
	for len(dst) > 0 {
		pi, off := addr>>pageShift, addr&(PageSize-1)
		n := PageSize - int(off)
		if n > len(dst) {
			n = len(dst)
		}
		if p := mm.pages[pi]; p != nil {
			copy(dst[:n], p[off:])
		} else {
			clear(dst[:n])
		}
		dst = dst[n:]
		addr += uint64(n)
	}
}

// write copies bytes into memory (bounds already checked).
func (mm *Memory) write(addr uint64, src []byte) {
	for len(src) > 0 {
		pi, off := addr>>pageShift, addr&(PageSize-1)
		n := PageSize - int(off)
		if n > len(src) {
			n = len(src)
		}
		copy(mm.wpage(pi)[off:], src[:n])
		src = src[n:]
		addr += uint64(n)
	}
}

// fill sets n bytes at addr to b (bounds already checked). Filling a nil
// page with zero leaves it nil.
func (mm *Memory) fill(addr, n uint64, b byte) {
	for n > 0 {
		pi, off := addr>>pageShift, addr&(PageSize-1)
		k := uint64(PageSize) - off
		if k > n {
			k = n
		}
		if b != 0 || mm.pages[pi] != nil {
			p := mm.wpage(pi)[off : off+k]
			for i := range p {
				p[i] = b
			}
		}
		n -= k
		addr += k
	}
}

// copyWithin copies n bytes from src to dst (bounds already checked),
// correct for overlapping ranges. It goes through a 4 KiB buffer, chunk by
// chunk, front to back when dst < src and back to front otherwise, so that
// no chunk overwrites source bytes not yet read.
func (mm *Memory) copyWithin(dst, src, n uint64) {
	var buf [PageSize]byte
	if dst <= src {
		for done := uint64(0); done < n; {
			k := min(n-done, PageSize)
			mm.read(src+done, buf[:k])
			mm.write(dst+done, buf[:k])
			done += k
		}
		return
	}
	for left := n; left > 0; {
		k := min(left, PageSize)
		left -= k
		mm.read(src+left, buf[:k])
		mm.write(dst+left, buf[:k])
	}
}

// inBounds reports whether [ea, ea+n) lies inside the memory.
func (mm *Memory) inBounds(ea, n uint64) bool {
	return ea+n <= uint64(mm.size)<<wasmPageShift
}

// load8..load64 and store8..store64 access memory at an effective address
// already checked to be in bounds.

func (mm *Memory) load8(ea uint64) uint64 {
	if p := mm.pages[ea>>pageShift]; p != nil {
		return uint64(p[ea&(PageSize-1)])
	}
	return 0
}

func (mm *Memory) load16(ea uint64) uint64 {
	off := ea & (PageSize - 1)
	if off <= PageSize-2 {
		if p := mm.pages[ea>>pageShift]; p != nil {
			return uint64(binary.LittleEndian.Uint16(p[off:]))
		}
		return 0
	}
	var b [2]byte
	mm.read(ea, b[:])
	return uint64(binary.LittleEndian.Uint16(b[:]))
}

func (mm *Memory) load32(ea uint64) uint64 {
	off := ea & (PageSize - 1)
	if off <= PageSize-4 {
		if p := mm.pages[ea>>pageShift]; p != nil {
			return uint64(binary.LittleEndian.Uint32(p[off:]))
		}
		return 0
	}
	var b [4]byte
	mm.read(ea, b[:])
	return uint64(binary.LittleEndian.Uint32(b[:]))
}

func (mm *Memory) load64(ea uint64) uint64 {
	off := ea & (PageSize - 1)
	if off <= PageSize-8 {
		if p := mm.pages[ea>>pageShift]; p != nil {
			return binary.LittleEndian.Uint64(p[off:])
		}
		return 0
	}
	var b [8]byte
	mm.read(ea, b[:])
	return binary.LittleEndian.Uint64(b[:])
}

func (mm *Memory) store8(ea uint64, v uint64) {
	mm.wpage(ea >> pageShift)[ea&(PageSize-1)] = byte(v)
}

func (mm *Memory) store16(ea uint64, v uint64) {
	off := ea & (PageSize - 1)
	if off <= PageSize-2 {
		binary.LittleEndian.PutUint16(mm.wpage(ea >> pageShift)[off:], uint16(v))
		return
	}
	var b [2]byte
	binary.LittleEndian.PutUint16(b[:], uint16(v))
	mm.write(ea, b[:])
}

func (mm *Memory) store32(ea uint64, v uint64) {
	off := ea & (PageSize - 1)
	if off <= PageSize-4 {
		binary.LittleEndian.PutUint32(mm.wpage(ea >> pageShift)[off:], uint32(v))
		return
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(v))
	mm.write(ea, b[:])
}

func (mm *Memory) store64(ea uint64, v uint64) {
	off := ea & (PageSize - 1)
	if off <= PageSize-8 {
		binary.LittleEndian.PutUint64(mm.wpage(ea >> pageShift)[off:], v)
		return
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	mm.write(ea, b[:])
}
