package merkle

import "math/bits"

// Memory tree shape. A page is 4 KiB of 32-byte chunks; the tree covers
// the 32-bit address space: 2^20 pages × 128 chunks × 32 B = 2^32 B.
const (
	ChunkSize     = 32                     // bytes per leaf
	PageSize      = 4096                   // bytes per page, as trace.PageSize
	ChunksPerPage = PageSize / ChunkSize   // 128 leaves per page
	PageDepth     = 7                      // in-page levels: 2^7 = 128
	PageCount     = 1 << UpperDepth        // pages in 4 GiB
	UpperDepth    = 20                     // levels above the pages
	MemoryDepth   = PageDepth + UpperDepth // 27: 2^27 leaves × 32 B = 4 GiB
	pageShift     = 12                     // log2(PageSize)
	chunkShift    = 5                      // log2(ChunkSize)
	chunkMask     = ChunksPerPage - 1      // chunk index within a page
)

// page caches one page's in-page tree: a copy of the data last hashed and
// every inner node, so that an update re-hashes only the paths of the
// chunks that changed (Cannon's CachedPage is the model). Node g, for
// in-page gindex 1 ≤ g < 128, is the page root at g = 1 and hashes two
// chunk leaves at 64 ≤ g < 128; leaves (gindex 128..255) are not cached
// but hashed from data when needed.
type page struct {
	data  [PageSize]byte
	nodes [ChunksPerPage][32]byte // nodes[0] unused
	// stale[g] means nodes[g] must be recomputed. If a node is stale, so
	// are all its ancestors, so marking stops at the first stale one.
	stale [ChunksPerPage]bool
}

var zeroPage [PageSize]byte

// newPage returns a page holding a copy of src with every node stale.
func newPage(src *[PageSize]byte) *page {
	pg := &page{data: *src}
	for g := 1; g < ChunksPerPage; g++ {
		pg.stale[g] = true
	}
	return pg
}

// chunk returns chunk c of the page's data.
func (pg *page) chunk(c int) *[32]byte {
	return (*[32]byte)(pg.data[c*ChunkSize : (c+1)*ChunkSize])
}

// update copies src into the page, marks the paths of the changed chunks
// stale, and reports whether any chunk changed.
func (pg *page) update(src *[PageSize]byte) bool {
	changed := false
	for c := 0; c < ChunksPerPage; c++ {
		s := (*[32]byte)(src[c*ChunkSize : (c+1)*ChunkSize])
		d := pg.chunk(c)
		if *s == *d {
			continue
		}
		*d = *s
		changed = true
		for g := (ChunksPerPage + c) >> 1; g >= 1 && !pg.stale[g]; g >>= 1 {
			pg.stale[g] = true
		}
	}
	return changed
}

// leafHash hashes chunk c, with the zero chunk taken from the table.
func (pg *page) leafHash(h *hasher, d *Domain, c int) [32]byte {
	ch := pg.chunk(c)
	if *ch == [32]byte{} {
		return d.zero[0]
	}
	return h.leaf(d, ch)
}

// root re-hashes the stale nodes, children before parents, and returns the
// page root. Two zero subtrees make a zero subtree without hashing.
func (pg *page) root(h *hasher, d *Domain) [32]byte {
	for g := ChunksPerPage - 1; g >= 1; g-- {
		if !pg.stale[g] {
			continue
		}
		height := PageDepth + 1 - bits.Len(uint(g)) // 1 for g in 64..127, 7 for g = 1
		var l, r [32]byte
		if g >= ChunksPerPage/2 {
			c := 2 * (g - ChunksPerPage/2)
			l, r = pg.leafHash(h, d, c), pg.leafHash(h, d, c+1)
		} else {
			l, r = pg.nodes[2*g], pg.nodes[2*g+1]
		}
		if l == d.zero[height-1] && r == d.zero[height-1] {
			pg.nodes[g] = d.zero[height]
		} else {
			pg.nodes[g] = h.node(d, &l, &r)
		}
		pg.stale[g] = false
	}
	return pg.nodes[1]
}

// siblings writes the in-page siblings of chunk c, bottom-up, into
// out[0:PageDepth]. The page must have no stale node.
func (pg *page) siblings(h *hasher, d *Domain, c int, out [][32]byte) {
	out[0] = pg.leafHash(h, d, c^1)
	g := (ChunksPerPage + c) >> 1
	for height := 1; height < PageDepth; height++ {
		out[height] = pg.nodes[g^1]
		g >>= 1
	}
}
