package merkle

import (
	"bytes"
	"math/rand"
	"slices"
	"testing"
)

// model is a plain 4 GiB memory: touched pages by index. It is only
// looked up, never iterated; idx lists the touched pages in order.
type model struct {
	pages map[uint32]*[PageSize]byte
	idx   []uint32
}

func newModel() *model { return &model{pages: map[uint32]*[PageSize]byte{}} }

func (m *model) page(p uint32) *[PageSize]byte {
	pg := m.pages[p]
	if pg == nil {
		pg = new([PageSize]byte)
		m.pages[p] = pg
		j, _ := slices.BinarySearch(m.idx, p)
		m.idx = slices.Insert(m.idx, j, p)
	}
	return pg
}

// write stores b at address a (wrapping is not allowed) and returns the
// pages it touched.
func (m *model) write(a uint32, b []byte) []uint32 {
	var touched []uint32
	for len(b) > 0 {
		p, off := a>>pageShift, int(a&(PageSize-1))
		n := copy(m.page(p)[off:], b)
		touched = append(touched, p)
		b = b[n:]
		a += uint32(n)
	}
	return touched
}

// refPageRoot hashes a page from scratch with the test's keccak.
func refPageRoot(pg *[PageSize]byte) [32]byte {
	leafL, nodeL := []byte(Memory.LeafLabel()), []byte(Memory.NodeLabel())
	level := make([][32]byte, ChunksPerPage)
	for c := range level {
		level[c] = keccak(leafL, pg[c*32:(c+1)*32])
	}
	for len(level) > 1 {
		next := make([][32]byte, len(level)/2)
		for i := range next {
			next[i] = keccak(nodeL, level[2*i][:], level[2*i+1][:])
		}
		level = next
	}
	return level[0]
}

// refMemoryRoot computes the memory root from scratch: page roots from
// refPageRoot, and above them a subtree with no touched page is a zero
// subtree (the zero table itself is checked by TestZeroTable).
func refMemoryRoot(m *model) Root {
	nodeL := []byte(Memory.NodeLabel())
	var rec func(height int, lo uint32, idx []uint32) [32]byte
	rec = func(height int, lo uint32, idx []uint32) [32]byte {
		if len(idx) == 0 {
			return Memory.Zero(PageDepth + height)
		}
		if height == 0 {
			return refPageRoot(m.pages[lo])
		}
		mid := lo + 1<<uint(height-1)
		split, _ := slices.BinarySearch(idx, mid)
		l := rec(height-1, lo, idx[:split])
		r := rec(height-1, mid, idx[split:])
		return keccak(nodeL, l[:], r[:])
	}
	return Root(rec(UpperDepth, 0, m.idx))
}

// refoldMemory folds a memory proof by hand.
func refoldMemory(addr uint32, leaf [32]byte, sib [][32]byte) Root {
	return Root(refold(Memory, uint64(addr>>5), leaf, sib))
}

func randPage(r *rand.Rand) uint32 {
	switch r.Intn(10) {
	case 0:
		return PageCount - 1 - uint32(r.Intn(3)) // the top of 4 GiB
	case 1:
		return uint32(r.Intn(PageCount))
	default:
		return uint32(r.Intn(48)) // a small memory, many collisions
	}
}

// TestMemoryIncremental runs random stores, fills, copies, page zeroings
// and grows on a model memory, updates the tree with the touched pages,
// and checks after every batch that the incremental root equals the root
// of a fresh tree and the from-scratch reference, that proofs re-fold by
// hand to it, and that MemoryRoot binds the size.
func TestMemoryIncremental(t *testing.T) {
	for seed := int64(1); seed <= 3; seed++ {
		r := rand.New(rand.NewSource(seed))
		m := newModel()
		tr := NewMemoryTree()
		size := uint32(1) // Wasm pages; the tree does not depend on it
		var prevRoot Root
		for batch := 0; batch < 30; batch++ {
			var touched []uint32
			for n := r.Intn(8) + 1; n > 0; n-- {
				p := randPage(r)
				switch op := r.Intn(6); op {
				case 0, 1: // store of 1, 2, 4 or 8 bytes, possibly across a page end
					w := 1 << r.Intn(4)
					a := p<<pageShift + uint32(r.Intn(PageSize))
					if r.Intn(4) == 0 {
						a = p<<pageShift + PageSize - 1 - uint32(r.Intn(w))
					}
					if uint64(a)+uint64(w) > 1<<32 {
						a = uint32(1<<32 - w)
					}
					b := make([]byte, w)
					r.Read(b)
					touched = append(touched, m.write(a, b)...)
				case 2: // fill (memory.fill), zero or not, up to 3 pages
					n := r.Intn(3 * PageSize)
					a := p << pageShift
					if uint64(a)+uint64(n) > 1<<32 {
						n = int(1<<32 - uint64(a))
					}
					touched = append(touched, m.write(a+uint32(r.Intn(32)), bytes.Repeat([]byte{byte(r.Intn(2) * r.Intn(256))}, n/2))...)
				case 3: // copy one page onto another (memory.copy)
					src := m.page(randPage(r))
					touched = append(touched, m.write(p<<pageShift, src[:])...)
				case 4: // zero a whole page
					*m.page(p) = [PageSize]byte{}
					touched = append(touched, p)
				case 5: // memory.grow: no tree change, only MemoryRoot's size
					size += uint32(r.Intn(3))
				}
			}
			for _, p := range touched {
				pg := m.pages[p]
				switch {
				case *pg == zeroPage && r.Intn(2) == 0:
					tr.UpdatePage(p, nil) // the machine may keep a zeroed page as nil
				default:
					tr.UpdatePage(p, pg)
				}
			}
			// Re-updating an unchanged page changes nothing.
			if len(m.idx) > 0 {
				p := m.idx[r.Intn(len(m.idx))]
				tr.UpdatePage(p, m.pages[p])
			}
			root := tr.Root()
			if want := refMemoryRoot(m); root != want {
				t.Fatalf("seed %d batch %d: incremental root %s, from scratch %s", seed, batch, root, want)
			}
			fresh := NewMemoryTree()
			for _, p := range m.idx {
				fresh.UpdatePage(p, m.pages[p])
			}
			if got := fresh.Root(); got != root {
				t.Fatalf("seed %d batch %d: fresh tree root %s, incremental %s", seed, batch, got, root)
			}
			for k := 0; k < 4; k++ {
				var addr uint32
				if len(touched) > 0 && k < 3 {
					addr = touched[r.Intn(len(touched))]<<pageShift + uint32(r.Intn(PageSize))
				} else {
					addr = r.Uint32()
				}
				leaf, sib := tr.ProveChunk(addr)
				var want [32]byte
				if pg := m.pages[addr>>pageShift]; pg != nil {
					off := int(addr&(PageSize-1)) &^ 31
					copy(want[:], pg[off:])
				}
				if leaf != want {
					t.Fatalf("seed %d batch %d: chunk at %#x = %x, want %x", seed, batch, addr, leaf, want)
				}
				if got := refoldMemory(addr, leaf, sib); got != root {
					t.Fatalf("seed %d batch %d: proof of %#x re-folds to %s, want %s", seed, batch, addr, got, root)
				}
				if !VerifyMemoryProof(root, addr, leaf, sib) {
					t.Fatalf("seed %d batch %d: proof of %#x rejected", seed, batch, addr)
				}
			}
			if root != prevRoot && MemoryRoot(size, 65536, root) == MemoryRoot(size, 65536, prevRoot) {
				t.Fatal("MemoryRoot ignores the tree root")
			}
			if MemoryRoot(size, 65536, root) == MemoryRoot(size+1, 65536, root) || MemoryRoot(size, 65536, root) == MemoryRoot(size, 65535, root) {
				t.Fatal("MemoryRoot ignores the size or the maximum")
			}
			prevRoot = root
		}
	}
}

// TestZeroPageInvariant: a page written with zeros, by any path, has the
// empty root (Cannon's invariant).
func TestZeroPageInvariant(t *testing.T) {
	empty := Root(Memory.Zero(MemoryDepth))
	var zeros [PageSize]byte
	data := new([PageSize]byte)
	data[100] = 7
	tests := []struct {
		name string
		do   func(tr *MemoryTree)
	}{
		{"zero page on a fresh tree", func(tr *MemoryTree) { tr.UpdatePage(3, &zeros) }},
		{"nil page on a fresh tree", func(tr *MemoryTree) { tr.UpdatePage(3, nil) }},
		{"written then zeroed", func(tr *MemoryTree) {
			tr.UpdatePage(3, data)
			tr.Root()
			tr.UpdatePage(3, &zeros)
		}},
		{"written then nil", func(tr *MemoryTree) {
			tr.UpdatePage(PageCount-1, data)
			tr.Root()
			tr.UpdatePage(PageCount-1, nil)
		}},
		{"written, zeroed, before any root", func(tr *MemoryTree) {
			tr.UpdatePage(0, data)
			tr.UpdatePage(0, &zeros)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewMemoryTree()
			tc.do(tr)
			if got := tr.Root(); got != empty {
				t.Fatalf("root %s, want the empty root %s", got, empty)
			}
		})
	}
	if got := newPage(&zeros).root(new(hasher), Memory); got != Memory.Zero(PageDepth) {
		t.Fatalf("hashed zero page root %x, want Zero(7)", got)
	}
	// The page cache itself, zeroed chunk by chunk (UpdatePage stores an
	// all-zero page as nothing, so this path is only reached here).
	pg := newPage(data)
	pg.root(new(hasher), Memory)
	if !pg.update(&zeros) {
		t.Fatal("update to zeros reported no change")
	}
	if got := pg.root(new(hasher), Memory); got != Memory.Zero(PageDepth) {
		t.Fatalf("page zeroed by update: root %x, want Zero(7)", got)
	}
	if got := refPageRoot(&zeros); got != Memory.Zero(PageDepth) {
		t.Fatalf("reference zero page root %x, want Zero(7)", got)
	}
}

// TestMemoryProofBitFlip: flipping any bit of an encoded memory proof, of
// the root or of the chunk address makes verification fail.
func TestMemoryProofBitFlip(t *testing.T) {
	tr := NewMemoryTree()
	r := rand.New(rand.NewSource(7))
	for _, p := range []uint32{0, 1, 2, 5, 1000, PageCount - 1} {
		pg := new([PageSize]byte)
		r.Read(pg[:])
		tr.UpdatePage(p, pg)
	}
	root := tr.Root()
	const addr = 1<<pageShift + 0x7e4
	leaf, sib := tr.ProveChunk(addr)
	b, err := AppendMemoryProof(nil, leaf, sib)
	if err != nil || len(b) != MemoryProofSize || MemoryProofSize != 896 {
		t.Fatalf("encoding: %v, %d bytes", err, len(b))
	}
	if l, s, err := DecodeMemoryProof(b); err != nil || !VerifyMemoryProof(root, addr, l, s) {
		t.Fatalf("honest proof: %v", err)
	}
	for bit := 0; bit < 8*len(b); bit++ {
		c := bytes.Clone(b)
		c[bit/8] ^= 1 << (bit % 8)
		l, s, err := DecodeMemoryProof(c)
		if err == nil && VerifyMemoryProof(root, addr, l, s) {
			t.Fatalf("proof with bit %d flipped verifies", bit)
		}
	}
	for bit := 0; bit < 256; bit++ {
		rt := root
		rt[bit/8] ^= 1 << (bit % 8)
		if VerifyMemoryProof(rt, addr, leaf, sib) {
			t.Fatalf("root with bit %d flipped verifies", bit)
		}
	}
	for bit := chunkShift; bit < 32; bit++ {
		if VerifyMemoryProof(root, addr^1<<bit, leaf, sib) {
			t.Fatalf("address with bit %d flipped verifies", bit)
		}
	}
	// Bits below the chunk size select a byte of the same leaf.
	if !VerifyMemoryProof(root, addr^31, leaf, sib) {
		t.Fatal("address in the same chunk rejected")
	}
	if _, _, err := DecodeMemoryProof(b[1:]); err == nil {
		t.Fatal("short proof decoded")
	}
	if _, err := FoldMemoryProof(addr, leaf, sib[1:]); err == nil {
		t.Fatal("26 siblings folded")
	}
}

// TestMemoryWriteFromProof: the siblings of a proof and a new leaf give
// the root after the write, as a one-step verifier computes it.
func TestMemoryWriteFromProof(t *testing.T) {
	tr := NewMemoryTree()
	pg := new([PageSize]byte)
	pg[0] = 1
	tr.UpdatePage(9, pg)
	const addr = 9<<pageShift + 64
	_, sib := tr.ProveChunk(addr)
	var leaf [32]byte
	leaf[3] = 0xcc
	pg[64+3] = 0xcc
	tr.UpdatePage(9, pg)
	want := tr.Root()
	got, err := FoldMemoryProof(addr, leaf, sib)
	if err != nil || got != want {
		t.Fatalf("post-write root from proof %s (%v), want %s", got, err, want)
	}
}

func TestUpdatePageOutOfRange(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); len(r) < 4 || r[:4] != "BUG:" {
			t.Fatalf("recovered %q, want a BUG: panic", r)
		}
	}()
	NewMemoryTree().UpdatePage(PageCount, nil)
}

// FuzzVerifyMemoryProof decodes and verifies arbitrary bytes at an
// arbitrary address against an arbitrary root; it must never panic.
func FuzzVerifyMemoryProof(f *testing.F) {
	tr := NewMemoryTree()
	pg := new([PageSize]byte)
	pg[40] = 1
	tr.UpdatePage(2, pg)
	root := tr.Root()
	leaf, sib := tr.ProveChunk(2<<pageShift + 40)
	b, _ := AppendMemoryProof(nil, leaf, sib)
	f.Add(b, uint32(2<<pageShift+40), root[:])
	f.Add([]byte{}, uint32(0), []byte{})
	f.Add(make([]byte, MemoryProofSize), uint32(0xffffffff), make([]byte, 32))
	f.Fuzz(func(t *testing.T, data []byte, addr uint32, rootBytes []byte) {
		var root Root
		copy(root[:], rootBytes)
		leaf, sib, err := DecodeMemoryProof(data)
		if err != nil {
			return
		}
		ok := VerifyMemoryProof(root, addr, leaf, sib)
		got, err := FoldMemoryProof(addr, leaf, sib)
		if err != nil || ok != (got == root) {
			t.Fatalf("Verify %v disagrees with Fold %s (%v)", ok, got, err)
		}
	})
}

// TestMemoryClone: a clone has the same root and proofs, and writes to
// either side do not reach the other, stale marks included.
func TestMemoryClone(t *testing.T) {
	tr := NewMemoryTree()
	a, b := new([PageSize]byte), new([PageSize]byte)
	a[5], b[4000] = 1, 2
	tr.UpdatePage(0, a)
	tr.Root()
	tr.UpdatePage(700, b) // stale at clone time
	c := tr.Clone()
	if c.Root() != tr.Root() {
		t.Fatal("clone root differs")
	}
	a[6] = 3
	c.UpdatePage(0, a)
	cRoot := c.Root()
	if tr.Root() == cRoot {
		t.Fatal("write to the clone reached the original")
	}
	tr.UpdatePage(0, a)
	if tr.Root() != cRoot {
		t.Fatal("same writes give different roots")
	}
	leaf, sib := c.ProveChunk(700<<pageShift + 4000)
	if leaf[4000%32] != 2 || !VerifyMemoryProof(cRoot, 700<<pageShift+4000, leaf, sib) {
		t.Fatal("clone proof rejected")
	}
}

// TestMemoryProofLayout pins the 896-byte layout of docs/merkle.md 6.2.
func TestMemoryProofLayout(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	p0, p1 := new([PageSize]byte), new([PageSize]byte)
	r.Read(p0[:])
	r.Read(p1[:])
	tr := NewMemoryTree()
	tr.UpdatePage(0, p0)
	tr.UpdatePage(1, p1)
	const addr = 3*32 + 5 // chunk 3 of page 0
	leaf, sib := tr.ProveChunk(addr)
	b, err := AppendMemoryProof(nil, leaf, sib)
	if err != nil {
		t.Fatal(err)
	}
	word := func(off int) [32]byte { return [32]byte(b[off : off+32]) }
	rows := []struct {
		name string
		off  int
		want [32]byte
	}{
		{"chunk", 0, [32]byte(p0[96:128])},
		{"height 0: chunk 2's leaf hash", 32, keccak([]byte("referee/memory-leaf/v1"), p0[64:96])},
		{"height 7: page 1's root", 256, refPageRoot(p1)},
		{"height 8: pages 2-3, zero", 288, Memory.Zero(8)},
		{"height 26: upper half, zero", 864, Memory.Zero(26)},
	}
	for _, row := range rows {
		if got := word(row.off); got != row.want {
			t.Errorf("%s at byte %d: %x, want %x", row.name, row.off, got, row.want)
		}
	}
}

// TestTwoChunkWrite: a step that writes two chunks (e.g. an i64.store
// straddling a chunk or page boundary) is verified from two pre-state
// proofs: fold the first new chunk, then the second with its siblings
// updated by MemorySiblingsAfterWrite; the result is the real post-root.
func TestTwoChunkWrite(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	pairs := []struct {
		name string
		a, b uint32
	}{
		{"neighbours in one page", 0x1000 + 28, 0x1000 + 32},
		{"across a page end", 0x1fe0, 0x2000},
		{"same page, far apart", 0x3000, 0x3fe0},
		{"pages far apart", 0x40, 0xfffff000},
		{"b before a", 0x5020, 0x5000},
	}
	for _, tc := range pairs {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel()
			tr := NewMemoryTree()
			for _, p := range []uint32{0, 1, 2, 3, 5, tc.a >> 12, tc.b >> 12, 0xfffff} {
				pg := m.page(p)
				r.Read(pg[:r.Intn(PageSize)])
				tr.UpdatePage(p, pg)
			}
			pre := tr.Root()
			oldA, sibA := tr.ProveChunk(tc.a)
			oldB, sibB := tr.ProveChunk(tc.b)
			if !VerifyMemoryProof(pre, tc.a, oldA, sibA) || !VerifyMemoryProof(pre, tc.b, oldB, sibB) {
				t.Fatal("pre-state proofs rejected")
			}
			var newA, newB [32]byte
			r.Read(newA[:])
			r.Read(newB[:])
			sibB2, err := MemorySiblingsAfterWrite(tc.a, newA, sibA, tc.b, sibB)
			if err != nil {
				t.Fatal(err)
			}
			post, err := FoldMemoryProof(tc.b, newB, sibB2)
			if err != nil {
				t.Fatal(err)
			}
			touched := m.write(tc.a&^31, newA[:])
			touched = append(touched, m.write(tc.b&^31, newB[:])...)
			for _, p := range touched {
				tr.UpdatePage(p, m.pages[p])
			}
			if want := tr.Root(); post != want {
				t.Fatalf("post-root from proofs %s, want %s", post, want)
			}
			// The intermediate root (only a written) agrees too.
			mid, _ := FoldMemoryProof(tc.a, newA, sibA)
			if !VerifyMemoryProof(mid, tc.b, oldB, sibB2) {
				t.Fatal("b's updated proof does not verify against the root after a's write")
			}
		})
	}
	if _, err := MemorySiblingsAfterWrite(0, [32]byte{}, make([][32]byte, 27), 31, make([][32]byte, 27)); err == nil {
		t.Error("same chunk accepted")
	}
	if _, err := MemorySiblingsAfterWrite(0, [32]byte{}, make([][32]byte, 27), 32, make([][32]byte, 26)); err == nil {
		t.Error("26 siblings accepted")
	}
}

// TestMemoryVector pins the worked example of docs/merkle.md: bytes 0x01 …
// 0x20 at addresses 0x20 … 0x3f, byte 0xff at address 0x1000, nothing
// else. The roots were computed independently (a pure Python Keccak and a
// hand-written fold), not with this package.
func TestMemoryVector(t *testing.T) {
	tr := NewMemoryTree()
	p0, p1 := new([PageSize]byte), new([PageSize]byte)
	for i := 0; i < 32; i++ {
		p0[0x20+i] = byte(i + 1)
	}
	p1[0] = 0xff
	tr.UpdatePage(0, p0)
	tr.UpdatePage(1, p1)
	root := tr.Root()
	if want := "0x12921728953a4d23ee1f06d9c0b912152a66ffc009931f65a77a74b175333682"; root.String() != want {
		t.Fatalf("root %s, want %s", root, want)
	}
	if got, want := MemoryRoot(1, 2, root).String(), "0x4cd9f6ffe061d315d379f4115d2ae692b0cffd2069813ecb2a54ff26e8978afe"; got != want {
		t.Fatalf("MemoryRoot(1, 2, root) = %s, want %s", got, want)
	}
}
