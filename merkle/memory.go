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
// 20) node hashes.
//
// Storage: 8 KiB per non-zero page (a copy of its data and its 127 inner
// nodes); a page whose last update was nil or all zeros costs nothing.
// Nodes above the pages are held in blocks of 256 consecutive nodes of one
// level, allocated on first write (about 8.3 KiB each), so a memory of n
// contiguous pages costs about 2n upper nodes and an isolated page at
// most one block per level. A MemoryTree is not safe for concurrent use.
type MemoryTree struct {
	d *Domain
	h hasher
	// up[k][b] holds nodes 256b to 256b+255 of level k: roots of subtrees
	// of height PageDepth+k (k = 0: pages; k = UpperDepth: the root). A
	// nil or missing block holds zero subtrees.
	up [UpperDepth + 1][]*block
	// dirty[k] lists the stale nodes of level k in the order they were
	// marked. As in page, a stale node's ancestors are stale.
	dirty [UpperDepth + 1][]uint32
}

const (
	blockShift = 8
	blockSize  = 1 << blockShift
)

// block is 256 consecutive nodes of one level of a MemoryTree.
type block struct {
	hash  [blockSize][32]byte
	stale [blockSize]bool
	// pages is set in level-0 blocks only: the caches of the block's
	// pages, nil for a zero page.
	pages *[blockSize]*page
}

// NewMemoryTree returns the tree of an all-zero memory; its root is
// Memory.Zero(27).
func NewMemoryTree() *MemoryTree { return &MemoryTree{d: Memory} }

// Clone returns an independent copy of the tree, stale marks included,
// e.g. to keep the tree of a checkpoint while the machine runs on. It
// copies every non-zero page's cache (8 KiB each).
func (t *MemoryTree) Clone() *MemoryTree {
	c := &MemoryTree{d: t.d}
	for k := range t.up {
		c.up[k] = make([]*block, len(t.up[k]))
		for bi, b := range t.up[k] {
			if b == nil {
				continue
			}
			nb := &block{hash: b.hash, stale: b.stale}
			if b.pages != nil {
				nb.pages = new([blockSize]*page)
				for j, pg := range b.pages {
					if pg != nil {
						cp := *pg
						nb.pages[j] = &cp
					}
				}
			}
			c.up[k][bi] = nb
		}
		c.dirty[k] = append([]uint32(nil), t.dirty[k]...)
	}
	return c
}

// block returns the block holding node i of level k, or nil if it was
// never written; with alloc it allocates it, filled with zero subtrees.
func (t *MemoryTree) block(k int, i uint32, alloc bool) *block {
	bi := int(i >> blockShift)
	if bi < len(t.up[k]) && t.up[k][bi] != nil {
		return t.up[k][bi]
	}
	if !alloc {
		return nil
	}
	if bi >= len(t.up[k]) {
		t.up[k] = append(t.up[k], make([]*block, bi+1-len(t.up[k]))...)
	}
	b := &block{}
	for j := range b.hash {
		b.hash[j] = t.d.zero[PageDepth+k]
	}
	if k == 0 {
		b.pages = new([blockSize]*page)
	}
	t.up[k][bi] = b
	return b
}

// at returns node i of level k.
func (t *MemoryTree) at(k int, i uint32) [32]byte {
	if b := t.block(k, i, false); b != nil {
		return b.hash[i&(blockSize-1)]
	}
	return t.d.zero[PageDepth+k]
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
	if data != nil && *data == zeroPage {
		data = nil // a zero page is stored as nothing
	}
	var pg *page
	b := t.block(0, p, false)
	if b != nil {
		pg = b.pages[p&(blockSize-1)]
	}
	switch {
	case pg == nil && data == nil:
		return // zero stays zero
	case data == nil:
		b.pages[p&(blockSize-1)] = nil // the cache of a zeroed page is dropped
	case pg == nil:
		t.block(0, p, true).pages[p&(blockSize-1)] = newPage(data)
	case !pg.update(data):
		return
	}
	t.markPage(p)
}

// markPage marks page p's root and its upper path stale.
func (t *MemoryTree) markPage(p uint32) {
	i := p
	for k := 0; k <= UpperDepth; k++ {
		b := t.block(k, i, true)
		if b.stale[i&(blockSize-1)] {
			return
		}
		b.stale[i&(blockSize-1)] = true
		t.dirty[k] = append(t.dirty[k], i)
		i >>= 1
	}
}

// Root re-hashes the stale pages and upper nodes, level by level, and
// returns the root of the whole 4 GiB.
func (t *MemoryTree) Root() Root {
	for _, p := range t.dirty[0] {
		b, j := t.block(0, p, false), p&(blockSize-1)
		if pg := b.pages[j]; pg != nil {
			b.hash[j] = pg.root(&t.h, t.d)
		} else {
			b.hash[j] = t.d.zero[PageDepth]
		}
		b.stale[j] = false
	}
	t.dirty[0] = t.dirty[0][:0]
	for k := 1; k <= UpperDepth; k++ {
		z := &t.d.zero[PageDepth+k-1]
		for _, i := range t.dirty[k] {
			b, j := t.block(k, i, false), i&(blockSize-1)
			l, r := t.at(k-1, 2*i), t.at(k-1, 2*i+1)
			if l == *z && r == *z {
				b.hash[j] = t.d.zero[PageDepth+k]
			} else {
				b.hash[j] = t.h.node(t.d, &l, &r)
			}
			b.stale[j] = false
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
	var pg *page
	if b := t.block(0, p, false); b != nil {
		pg = b.pages[p&(blockSize-1)]
	}
	if pg != nil {
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

// MemorySiblingsAfterWrite is SiblingsAfterWrite for two chunks of a
// memory tree: the siblings of the chunk at addrB after the chunk at addrA
// (a different chunk) was set to newA.
func MemorySiblingsAfterWrite(addrA uint32, newA [32]byte, sibA [][32]byte, addrB uint32, sibB [][32]byte) ([][32]byte, error) {
	if len(sibA) != MemoryDepth || len(sibB) != MemoryDepth {
		return nil, fmt.Errorf("%w: memory proofs have %d and %d siblings, want %d", ErrProof, len(sibA), len(sibB), MemoryDepth)
	}
	return SiblingsAfterWrite(Memory, uint64(addrA>>chunkShift), newA, sibA, uint64(addrB>>chunkShift), sibB)
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
