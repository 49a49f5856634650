package merkle

import (
	"encoding/binary"
	"fmt"
)

// MemoryTree is the Merkle tree of one 32-bit linear memory in the Memory
// domain: depth 27, leaf k is the 32-byte chunk at address 32k, page p is
// the subtree at gindex 2^20 + p, and the root covers all 4 GiB whatever
// the memory's current size, so growing a memory never reshapes the tree
// (MemoryRoot binds the size).
//
// The owner of the memory calls UpdatePage for each page written since the
// last root, then Root. UpdatePage compares the page with its cached copy
// and marks only the changed chunks' paths stale; Root re-hashes them and
// the stale nodes above the pages: O(changed chunks × 7 + dirty pages ×
// 20) node hashes. Upper nodes are held densely up to the highest page
// index updated (Wasm memories are contiguous from address 0), so a
// memory of n pages costs about 2n upper nodes (64 B each) plus 8 KiB per
// non-zero page; pages never updated or updated to nil cost nothing.
// A MemoryTree is not safe for concurrent use.
type MemoryTree struct {
	d *Domain
	h hasher
	// pages[p] is page p's cache; nil is an all-zero page.
	pages []*page
	// up[k][i] is the root of the subtree of height PageDepth+k at index i
	// (k = 0: page roots; k = UpperDepth: the root). Indices at or past
	// len(up[k]) are zero subtrees.
	up [UpperDepth + 1][][32]byte
	// stale[k][i] means up[k][i] must be recomputed; as in page, a stale
	// node's ancestors are stale. dirty[k] lists the stale indices of
	// level k in the order they were marked.
	stale [UpperDepth + 1][]bool
	dirty [UpperDepth + 1][]uint32
}

// NewMemoryTree returns the tree of an all-zero memory; its root is
// Memory.Zero(27).
func NewMemoryTree() *MemoryTree { return &MemoryTree{d: Memory} }

// extend makes page index p addressable at every level.
func (t *MemoryTree) extend(p uint32) {
	n := int(p) + 1
	if n <= len(t.pages) {
		return
	}
	t.pages = append(t.pages, make([]*page, n-len(t.pages))...)
	for k := 0; k <= UpperDepth; k++ {
		want := (n + 1<<k - 1) >> k
		for len(t.up[k]) < want {
			t.up[k] = append(t.up[k], t.d.zero[PageDepth+k])
			t.stale[k] = append(t.stale[k], false)
		}
	}
}

// UpdatePage tells the tree that page p (addresses p·4096 to p·4096+4095)
// now holds *data; nil means all zeros. Only chunks that differ from the
// previous update are re-hashed by the next Root. p must be below
// PageCount (2^20); the tree keeps its own copy, so data may be modified
// afterwards.
func (t *MemoryTree) UpdatePage(p uint32, data *[PageSize]byte) {
	if p >= PageCount {
		panic(fmt.Sprintf("BUG: merkle: page index %d out of range (2^20 pages)", p))
	}
	var pg *page
	if int(p) < len(t.pages) {
		pg = t.pages[p]
	}
	switch {
	case pg == nil && (data == nil || *data == zeroPage):
		return // zero stays zero
	case data == nil:
		t.pages[p] = nil // the cache of a zeroed page is dropped
	case pg == nil:
		t.extend(p)
		t.pages[p] = newPage(data)
	case !pg.update(data):
		return
	}
	t.markPage(p)
}

// markPage marks page p's root and its upper path stale.
func (t *MemoryTree) markPage(p uint32) {
	i := p
	for k := 0; k <= UpperDepth; k++ {
		if t.stale[k][i] {
			return
		}
		t.stale[k][i] = true
		t.dirty[k] = append(t.dirty[k], i)
		i >>= 1
	}
}

// at returns up[k][i], or the zero subtree past the stored range.
func (t *MemoryTree) at(k int, i uint32) [32]byte {
	if int(i) < len(t.up[k]) {
		return t.up[k][i]
	}
	return t.d.zero[PageDepth+k]
}

// Root re-hashes the stale pages and upper nodes, level by level, and
// returns the root of the whole 4 GiB.
func (t *MemoryTree) Root() Root {
	for _, p := range t.dirty[0] {
		if pg := t.pages[p]; pg != nil {
			t.up[0][p] = pg.root(&t.h, t.d)
		} else {
			t.up[0][p] = t.d.zero[PageDepth]
		}
		t.stale[0][p] = false
	}
	t.dirty[0] = t.dirty[0][:0]
	for k := 1; k <= UpperDepth; k++ {
		z := &t.d.zero[PageDepth+k-1]
		for _, i := range t.dirty[k] {
			l, r := t.at(k-1, 2*i), t.at(k-1, 2*i+1)
			if l == *z && r == *z {
				t.up[k][i] = t.d.zero[PageDepth+k]
			} else {
				t.up[k][i] = t.h.node(t.d, &l, &r)
			}
			t.stale[k][i] = false
		}
		t.dirty[k] = t.dirty[k][:0]
	}
	return Root(t.at(UpperDepth, 0))
}

// ProveChunk returns the chunk holding address addr (the 32 bytes at
// addr &^ 31) and its MemoryDepth siblings bottom-up (7 in-page, then 20
// above the page), against Root(). Addresses past the memory's size are
// provable and hold zeros.
func (t *MemoryTree) ProveChunk(addr uint32) (leaf [32]byte, siblings [][32]byte) {
	t.Root()
	p, c := addr>>pageShift, int(addr>>chunkShift)&chunkMask
	siblings = make([][32]byte, MemoryDepth)
	if int(p) < len(t.pages) && t.pages[p] != nil {
		pg := t.pages[p]
		leaf = *pg.chunk(c)
		pg.siblings(&t.h, t.d, c, siblings[:PageDepth])
	} else {
		copy(siblings, t.d.zero[:PageDepth])
	}
	for k := 0; k < UpperDepth; k++ {
		siblings[PageDepth+k] = t.at(k, (p>>uint(k))^1)
	}
	return leaf, siblings
}

// FoldMemoryProof re-computes a memory root from the chunk at addr (its
// low 5 bits are ignored) and its 27 siblings bottom-up. With the siblings
// of a proof and a new leaf it gives the root after writing that chunk.
func FoldMemoryProof(addr uint32, leaf [32]byte, siblings [][32]byte) (Root, error) {
	if len(siblings) != MemoryDepth {
		return Root{}, fmt.Errorf("%w: memory proof has %d siblings, want %d", ErrProof, len(siblings), MemoryDepth)
	}
	return Fold(Memory, uint64(addr>>chunkShift), leaf, siblings)
}

// VerifyMemoryProof reports whether leaf is the chunk at addr in the
// memory tree with the given root.
func VerifyMemoryProof(root Root, addr uint32, leaf [32]byte, siblings [][32]byte) bool {
	got, err := FoldMemoryProof(addr, leaf, siblings)
	return err == nil && got == root
}

// MemoryProofSize is the size of an encoded memory proof: the leaf, then
// 27 siblings bottom-up, 32 bytes each, no header (the address comes from
// the instruction being proven): 28 × 32 = 896 bytes, as Cannon's.
const MemoryProofSize = ChunkSize * (1 + MemoryDepth)

// AppendMemoryProof appends the encoding of a memory proof to b.
func AppendMemoryProof(b []byte, leaf [32]byte, siblings [][32]byte) ([]byte, error) {
	if len(siblings) != MemoryDepth {
		return b, fmt.Errorf("%w: memory proof has %d siblings, want %d", ErrProof, len(siblings), MemoryDepth)
	}
	b = append(b, leaf[:]...)
	for i := range siblings {
		b = append(b, siblings[i][:]...)
	}
	return b, nil
}

// DecodeMemoryProof decodes a memory proof of exactly MemoryProofSize
// bytes.
func DecodeMemoryProof(b []byte) (leaf [32]byte, siblings [][32]byte, err error) {
	if len(b) != MemoryProofSize {
		return leaf, nil, fmt.Errorf("%w: memory proof: %d bytes, want %d", ErrProof, len(b), MemoryProofSize)
	}
	copy(leaf[:], b)
	siblings = make([][32]byte, MemoryDepth)
	for i := range siblings {
		copy(siblings[i][:], b[ChunkSize*(1+i):])
	}
	return leaf, siblings, nil
}

// memoryLabel prefixes the memory commitment.
const memoryLabel = "referee/memory/v1"

// Memory commitment input (57 bytes), mirrored in docs/merkle.md:
//
//	offset  width  field      encoding
//	0       17     label      ASCII "referee/memory/v1"
//	17      4      size       u32 big-endian, current size in 64 KiB pages
//	21      4      max        u32 big-endian, maximum size in 64 KiB pages
//	25      32     tree root  MemoryTree.Root()
const (
	memSizeOff       = len(memoryLabel)
	memMaxOff        = memSizeOff + 4
	memRootOff       = memMaxOff + 4
	memoryCommitSize = memRootOff + 32
)

// MemoryRoot commits to a memory: keccak256 of the 57-byte input above,
// binding the tree root to the current and maximum size (in 64 KiB Wasm
// pages), so two memories with equal contents but different sizes or
// limits differ.
func MemoryRoot(sizePages, maxPages uint32, root Root) Root {
	var b [memoryCommitSize]byte
	copy(b[:], memoryLabel)
	binary.BigEndian.PutUint32(b[memSizeOff:], sizePages)
	binary.BigEndian.PutUint32(b[memMaxOff:], maxPages)
	copy(b[memRootOff:], root[:])
	var h hasher
	return Root(h.raw(b[:]))
}
