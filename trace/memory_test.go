package trace

import (
	"bytes"
	"testing"
)

// TestMemoryPaged checks the 4 KiB paging: untouched pages stay nil and read
// as zero, accesses straddling a page boundary land in both pages, and
// writes set the dirty bit of exactly the pages they touch.
func TestMemoryPaged(t *testing.T) {
	tests := []struct {
		name  string
		addr  uint64
		width int // 1, 2, 4 or 8
		pages []int
	}{
		{"inside first page", 16, 8, []int{0}},
		{"last byte of page", PageSize - 1, 1, []int{0}},
		{"straddles 0/1", PageSize - 3, 8, []int{0, 1}},
		{"straddles 1/2 half", 2*PageSize - 1, 2, []int{1, 2}},
		{"straddles wasm page", WasmPageSize - 2, 4, []int{15, 16}},
		{"end of memory", 2*WasmPageSize - 8, 8, []int{31}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := newMemory(2, 4, true, DefaultMaxMemoryPages)
			if got := mm.load64(tt.addr &^ 7); got != 0 {
				t.Fatalf("fresh memory reads %#x", got)
			}
			const v = 0x1122334455667788
			var load func(uint64) uint64
			switch tt.width {
			case 1:
				mm.store8(tt.addr, v)
				load = mm.load8
			case 2:
				mm.store16(tt.addr, v)
				load = mm.load16
			case 4:
				mm.store32(tt.addr, v)
				load = mm.load32
			case 8:
				mm.store64(tt.addr, v)
				load = mm.load64
			}
			mask := uint64(1)<<(8*tt.width) - 1
			if tt.width == 8 {
				mask = ^uint64(0)
			}
			if got := load(tt.addr); got != v&mask {
				t.Errorf("load = %#x, want %#x", got, v&mask)
			}
			buf := make([]byte, tt.width)
			mm.Read(tt.addr, buf)
			want := []byte{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}[:tt.width]
			if !bytes.Equal(buf, want) {
				t.Errorf("bytes = %x, want %x (little-endian)", buf, want)
			}
			for i := 0; i < mm.NumPages(); i++ {
				wantDirty := false
				for _, p := range tt.pages {
					wantDirty = wantDirty || p == i
				}
				if mm.Dirty(i) != wantDirty || (mm.Page(i) != nil) != wantDirty {
					t.Errorf("page %d: dirty %v, allocated %v; want %v", i, mm.Dirty(i), mm.Page(i) != nil, wantDirty)
				}
			}
			mm.ClearDirty()
			for i := 0; i < mm.NumPages(); i++ {
				if mm.Dirty(i) {
					t.Errorf("page %d dirty after ClearDirty", i)
				}
			}
		})
	}
}

func TestMemoryGrowAndBounds(t *testing.T) {
	mm := newMemory(1, 3, true, 2) // declared max 3, capped at 2
	if r := mm.grow(1); r != 1 || mm.Size() != 2 || mm.NumPages() != 32 {
		t.Fatalf("grow(1) = %d, size %d, pages %d", r, mm.Size(), mm.NumPages())
	}
	if r := mm.grow(1); r != 0xffffffff || mm.Size() != 2 {
		t.Fatalf("grow past the cap = %d, size %d", r, mm.Size())
	}
	if r := mm.grow(0); r != 2 {
		t.Fatalf("grow(0) = %d", r)
	}
	end := uint64(2 * WasmPageSize)
	if !mm.inBounds(end-4, 4) || mm.inBounds(end-3, 4) || !mm.inBounds(end, 0) || mm.inBounds(end+1, 0) {
		t.Error("inBounds wrong at the end of memory")
	}
	if mm.Write(end-1, []byte{1, 2}) {
		t.Error("Write past the end succeeded")
	}
	// Filling with zero leaves untouched pages unallocated.
	mm.fill(0, end, 0)
	for i := 0; i < mm.NumPages(); i++ {
		if mm.Page(i) != nil {
			t.Fatalf("page %d allocated by a zero fill", i)
		}
	}
	// Overlapping copy forwards and backwards.
	mm.Write(100, []byte{1, 2, 3, 4, 5})
	mm.copyWithin(102, 100, 5)
	got := make([]byte, 7)
	mm.Read(100, got)
	if !bytes.Equal(got, []byte{1, 2, 1, 2, 3, 4, 5}) {
		t.Errorf("forward overlapping copy = %v", got)
	}
	mm.copyWithin(100, 102, 5)
	mm.Read(100, got)
	if !bytes.Equal(got, []byte{1, 2, 3, 4, 5, 4, 5}) {
		t.Errorf("backward overlapping copy = %v", got)
	}
	// A large copy across pages.
	big := make([]byte, 3*PageSize)
	for i := range big {
		big[i] = byte(i * 7)
	}
	mm.Write(10, big)
	mm.copyWithin(WasmPageSize, 10, uint64(len(big)))
	back := make([]byte, len(big))
	mm.Read(WasmPageSize, back)
	if !bytes.Equal(back, big) {
		t.Error("large copy differs")
	}
}
