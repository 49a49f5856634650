// Package merkle commits data to 32-byte roots with binary Merkle trees
// over keccak256 (legacy Keccak, as the EVM uses), and proves and verifies
// inclusion of single leaves.
//
// Every hash input starts with an ASCII label naming the structure and its
// version, so a leaf can never be taken for an inner node and a node of one
// tree kind never for a node of another (see Domain and docs/merkle.md):
//
//	leaf = keccak256("referee/<kind>-leaf/v1" || data[32])
//	node = keccak256("referee/<kind>-node/v1" || left[32] || right[32])
//
// Positions are generalized indices (gindex): the root is 1 and the
// children of node i are 2i and 2i+1, so leaf k of a depth-d tree has
// gindex 2^d + k. Proofs list the leaf, then the siblings from the bottom
// up. Untouched subtrees are never stored: their roots come from a table of
// zero-subtree hashes computed once per Domain.
//
// Tree is a generic sparse tree of fixed depth over 32-byte leaves.
// MemoryTree is the tree over a 32-bit linear memory: 32-byte chunks as
// leaves, 4 KiB pages of 128 chunks (7 levels) under 2^20 pages (20
// levels), depth 27 in all. It caches every in-page node, so after a write
// only the changed chunks' paths and the dirty pages' upper paths are
// re-hashed. MemoryRoot binds a memory tree root to the memory's current
// and maximum size.
//
// Writes mark nodes stale and Root re-hashes lazily, as Cannon's memory
// does. Trees are not safe for concurrent use. Nothing in this package
// depends on map iteration, time or randomness.
//
// merkle imports nothing else from referee: the machine (trace) and the
// verifier (dispute) both import it, and the verifier must be able to fold
// proofs without linking the machine.
package merkle
