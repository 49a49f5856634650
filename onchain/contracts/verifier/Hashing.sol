// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A tree kind (docs/merkle.md §1): the labels that prefix its leaf
/// and node hashes ("referee/<kind>-leaf/v1", "referee/<kind>-node/v1"),
/// both `len` bytes long. Every label referee uses fits in one word.
struct Dom {
    bytes32 leaf;
    bytes32 node;
    uint256 len;
}

/// @title Hashing: labelled Keccak-256 and Merkle folds of docs/merkle.md
/// @notice Every hash writes its label and data at the free-memory pointer
/// without moving it (scratch use), so folding a 27-level proof allocates
/// nothing.
library Hashing {
    function codeDom() internal pure returns (Dom memory) {
        return Dom("referee/code-leaf/v1", "referee/code-node/v1", 20);
    }

    function funcsDom() internal pure returns (Dom memory) {
        return Dom("referee/funcs-leaf/v1", "referee/funcs-node/v1", 21);
    }

    function localsDom() internal pure returns (Dom memory) {
        return Dom("referee/locals-leaf/v1", "referee/locals-node/v1", 22);
    }

    function globalsDom() internal pure returns (Dom memory) {
        return Dom("referee/globals-leaf/v1", "referee/globals-node/v1", 23);
    }

    function tablesDom() internal pure returns (Dom memory) {
        return Dom("referee/tables-leaf/v1", "referee/tables-node/v1", 22);
    }

    function elemsDom() internal pure returns (Dom memory) {
        return Dom("referee/elems-leaf/v1", "referee/elems-node/v1", 21);
    }

    function memsDom() internal pure returns (Dom memory) {
        return Dom("referee/mems-leaf/v1", "referee/mems-node/v1", 20);
    }

    function segsDom() internal pure returns (Dom memory) {
        return Dom("referee/segments-leaf/v1", "referee/segments-node/v1", 24);
    }

    function tapeDom() internal pure returns (Dom memory) {
        return Dom("referee/hosttape-leaf/v1", "referee/hosttape-node/v1", 24);
    }

    function memoryDom() internal pure returns (Dom memory) {
        return Dom("referee/memory-leaf/v1", "referee/memory-node/v1", 22);
    }

    /// @notice keccak256(label[:len] || data).
    function labelled(bytes32 label, uint256 len, bytes32 data) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, len), data)
            h := keccak256(p, add(len, 32))
        }
    }

    /// @notice keccak256(label[:len] || a || b).
    function labelled2(bytes32 label, uint256 len, bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, len), a)
            mstore(add(p, add(len, 32)), b)
            h := keccak256(p, add(len, 64))
        }
    }

    function leafHash(Dom memory d, bytes32 data) internal pure returns (bytes32) {
        return labelled(d.leaf, d.len, data);
    }

    function nodeHash(Dom memory d, bytes32 l, bytes32 r) internal pure returns (bytes32) {
        return labelled2(d.node, d.len, l, r);
    }

    /// @notice The root of an all-zero subtree of height h (Z[h]).
    function zero(Dom memory d, uint256 h) internal pure returns (bytes32 z) {
        z = leafHash(d, 0);
        for (uint256 i = 0; i < h; i++) z = nodeHash(d, z, z);
    }

    /// @notice The least d with 2^d >= n (depthFor in Go).
    function depthFor(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) d++;
    }

    /// @notice Folds leaf data with `depth` siblings read from calldata at
    /// `sib` (bottom up); ok is false if index does not fit in depth bits.
    function foldCd(Dom memory d, uint256 index, bytes32 leaf, uint256 sib, uint256 depth)
        internal
        pure
        returns (bytes32 cur, bool ok)
    {
        if (depth > 63 || index >> depth != 0) return (0, false);
        cur = leafHash(d, leaf);
        for (uint256 h = 0; h < depth; h++) {
            bytes32 s;
            assembly ("memory-safe") {
                s := calldataload(add(sib, mul(h, 32)))
            }
            cur = (index >> h) & 1 == 0 ? nodeHash(d, cur, s) : nodeHash(d, s, cur);
        }
        return (cur, true);
    }

    /// @notice foldCd with the siblings in memory.
    function foldMem(Dom memory d, uint256 index, bytes32 leaf, bytes32[] memory sib)
        internal
        pure
        returns (bytes32 cur)
    {
        cur = leafHash(d, leaf);
        for (uint256 h = 0; h < sib.length; h++) {
            cur = (index >> h) & 1 == 0 ? nodeHash(d, cur, sib[h]) : nodeHash(d, sib[h], cur);
        }
    }

    /// @notice merkle.MemoryRoot: the commitment binding a memory tree root to
    /// the memory's size and maximum in Wasm pages (docs/merkle.md §5).
    function memoryRoot(uint256 size, uint256 max, bytes32 root) internal pure returns (bytes32 h) {
        bytes32 label = "referee/memory/v1";
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore(add(p, 17), shl(224, size))
            mstore(add(p, 21), shl(224, max))
            mstore(add(p, 25), root)
            h := keccak256(p, 57)
        }
    }

    /// @notice The leaf of a value (a table element): 24 zero bytes, then the
    /// u64 bits.
    function valueLeaf(uint256 bits) internal pure returns (bytes32) {
        return bytes32(bits);
    }
}
