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
            revert Rejected("memory record: does not fold to the memories root", start);
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
        if (r < l || depth > 63 || r >> depth != 0) revert Rejected("range outside the tree", start);
        tr.d = d;
        tr.depth = depth;
        tr.first = l;
        tr.n = r - l + 1;
        tr.data = new bytes(32 * tr.n);
        bytes memory data = tr.data;
        if (values) {
            uint256 pos = v.take(8 * tr.n, "range leaves");
            for (uint256 i = 0; i < tr.n; i++) {
                uint256 x = Machine.cdUint(pos + 8 * i, 8);
                assembly ("memory-safe") {
                    mstore(add(add(data, 32), mul(i, 32)), x)
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
        if (rootOf(tr) != root) revert Rejected("range: does not fold to the committed root", start);
    }

    /// @notice Folds the run of leaves with its boundary siblings.
    function rootOf(Range memory tr) internal pure returns (bytes32) {
        Dom memory d = tr.d;
        bytes32[] memory level = new bytes32[](tr.n);
        bytes memory data = tr.data;
        for (uint256 i = 0; i < tr.n; i++) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(data, 32), mul(i, 32)))
            }
            level[i] = Hashing.leafHash(d, w);
        }
        uint256 lo = tr.first;
        uint256 hi = tr.first + tr.n - 1;
        for (uint256 h = 0; h < tr.depth; h++) {
            // nodes lo … hi of this level are level[0 … hi-lo]; their parents
            // overwrite the front of the array (a parent is written after both
            // of its children were read)
            uint256 plo = lo >> 1;
            uint256 phi = hi >> 1;
            for (uint256 p = plo; p <= phi; p++) {
                uint256 c = 2 * p;
                bytes32 lc = c < lo ? tr.left[h] : level[c - lo];
                bytes32 rc = c + 1 > hi ? tr.right[h] : level[c + 1 - lo];
                level[p - plo] = Hashing.nodeHash(d, lc, rc);
            }
            lo = plo;
            hi = phi;
        }
        return level[0];
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
