// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";
import {VM, Machine, Rejected} from "./Machine.sol";

/// @notice A contiguous run of leaves first … first+n-1 opened with a range
/// proof (docs/proof-format.md §4): their data, 32 bytes each, contiguous (so
/// that memory bytes can be copied in and out with one MCOPY), and the
/// boundary siblings by height.
struct Range {
    Dom d;
    uint256 depth;
    uint256 first;
    uint256 n;
    bytes data;
    bytes32[] left;
    bytes32[] right;
}

/// @notice A memory's commitment opened from the proof: its record and the
/// calldata position of its siblings in the memories tree.
struct Mem {
    uint256 addr;
    uint256 size;
    uint256 max;
    bytes32 root;
    uint256 sib;
    uint256 depth;
}

/// @title Ranges: memory records and range proofs (dispute/verify_bulk.go,
/// verify_mem.go's readMemAt)
library Ranges {
    using Machine for VM;

    /// @notice Reads the record of the memory at store address addr.
    function readMemAt(VM memory v, uint256 addr) internal pure returns (Mem memory mi) {
        uint256 start = v.off;
        mi.addr = addr;
        mi.size = v.readUint(4, "memory size");
        mi.max = v.readUint(4, "memory max");
        mi.root = v.readWord("memory tree root");
        mi.depth = Hashing.depthFor(Machine.get(v.st, Machine.ST_NMEMS, 4));
        mi.sib = v.siblings(mi.depth, "memory siblings");
        (bytes32 got, bool ok) =
            Hashing.foldCd(Hashing.memsDom(), addr, Hashing.memoryRoot(mi.size, mi.max, mi.root), mi.sib, mi.depth);
        if (!ok || got != Machine.getW(v.st, Machine.ST_MEMS)) {
            revert Rejected("memory record", start, "does not fold to the memories root");
        }
    }

    /// @notice Commits a memory's new size and tree root.
    function writeMem(VM memory v, Mem memory mi, uint256 size, bytes32 root) internal pure {
        bytes32 leaf = Hashing.memoryRoot(size, mi.max, root);
        Machine.setW(v.st, Machine.ST_MEMS, Machine.refold(Hashing.memsDom(), mi.addr, leaf, mi.sib, mi.depth));
    }

    /// @notice Reads the range proof of leaves l … r of a tree and checks it
    /// against root. values: each leaf is encoded as its 8-byte value.
    function read(VM memory v, Dom memory d, uint256 depth, uint256 l, uint256 r, bool values, bytes32 root)
        internal
        pure
        returns (Range memory tr)
    {
        uint256 start = v.off;
        if (r < l || depth > 63 || r >> depth != 0) revert Rejected("range outside the tree", start, "");
        tr.d = d;
        tr.depth = depth;
        tr.first = l;
        tr.n = r - l + 1;
        tr.data = new bytes(32 * tr.n);
        bytes memory data = tr.data;
        if (values) {
            uint256 cnt = tr.n;
            uint256 pos = v.take(8 * cnt, "range leaves");
            assembly ("memory-safe") {
                for { let i := 0 } lt(i, cnt) { i := add(i, 1) } {
                    mstore(add(add(data, 32), mul(i, 32)), shr(192, calldataload(add(pos, mul(i, 8)))))
                }
            }
        } else {
            uint256 cnt = tr.n;
            uint256 pos = v.take(32 * cnt, "range leaves");
            assembly ("memory-safe") {
                calldatacopy(add(data, 32), pos, mul(32, cnt))
            }
        }
        tr.left = new bytes32[](depth);
        tr.right = new bytes32[](depth);
        for (uint256 h = 0; h < depth; h++) {
            if ((l >> h) & 1 == 1) tr.left[h] = v.readWord("range left sibling");
            if ((r >> h) & 1 == 0) tr.right[h] = v.readWord("range right sibling");
        }
        if (rootOf(tr) != root) revert Rejected("range", start, "does not fold to the committed root");
    }

    /// @notice Folds the run of leaves with its boundary siblings. The level
    /// being folded lives past the free-memory pointer (scratch, never
    /// allocated): one array of the run's length, parents written over their
    /// children (a parent is written after both of its children were read).
    function rootOf(Range memory tr) internal pure returns (bytes32 root) {
        bytes32 ll = tr.d.leaf;
        bytes32 nl = tr.d.node;
        uint256 len = tr.d.len;
        uint256 n = tr.n;
        uint256 depth = tr.depth;
        uint256 lo = tr.first;
        bytes memory data = tr.data;
        bytes32[] memory left = tr.left;
        bytes32[] memory right = tr.right;
        assembly ("memory-safe") {
            let level := mload(0x40)
            let scratch := add(level, mul(n, 32))
            let src := add(data, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(scratch, ll)
                mstore(add(scratch, len), mload(add(src, mul(i, 32))))
                mstore(add(level, mul(i, 32)), keccak256(scratch, add(len, 32)))
            }
            let hi := add(lo, sub(n, 1))
            for { let h := 0 } lt(h, depth) { h := add(h, 1) } {
                let plo := shr(1, lo)
                let phi := shr(1, hi)
                for { let p := plo } iszero(gt(p, phi)) { p := add(p, 1) } {
                    let c := shl(1, p)
                    let lc := 0
                    switch lt(c, lo)
                    case 1 { lc := mload(add(add(left, 32), mul(h, 32))) }
                    default { lc := mload(add(level, mul(sub(c, lo), 32))) }
                    let rc := 0
                    switch gt(add(c, 1), hi)
                    case 1 { rc := mload(add(add(right, 32), mul(h, 32))) }
                    default { rc := mload(add(level, mul(sub(add(c, 1), lo), 32))) }
                    mstore(scratch, nl)
                    mstore(add(scratch, len), lc)
                    mstore(add(scratch, add(len, 32)), rc)
                    mstore(add(level, mul(sub(p, plo), 32)), keccak256(scratch, add(len, 64)))
                }
                lo := plo
                hi := phi
            }
            root := mload(level)
        }
    }

    /// @notice Reads the range proof of the chunks holding [addr, addr+n).
    function readMem(VM memory v, Mem memory mi, uint256 addr, uint256 n) internal pure returns (Range memory) {
        return read(v, Hashing.memoryDom(), 27, addr >> 5, (addr + n - 1) >> 5, false, mi.root);
    }

    /// @notice The memory position of byte addr of a memory run.
    function at(Range memory tr, uint256 addr) internal pure returns (uint256 p) {
        bytes memory data = tr.data;
        uint256 o = addr - 32 * tr.first;
        assembly ("memory-safe") {
            p := add(add(data, 32), o)
        }
    }
}
