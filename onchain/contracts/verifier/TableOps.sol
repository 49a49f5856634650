// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";
import {VM, Machine, Rejected, NotProvable} from "./Machine.sol";
import {Range, Ranges} from "./Ranges.sol";
import {Segments} from "./Segments.sol";
import {MemoryOps} from "./MemoryOps.sol";

/// @notice A table's commitment opened from the proof.
struct Table {
    uint256 addr;
    uint256 elem;
    uint256 size;
    uint256 max;
    bytes32 root;
    uint256 sib; // calldata position of its siblings in the tables tree
    uint256 depth; // of the tables tree
}

/// @title TableOps: table.get/set/size/grow/fill/copy/init and elem.drop
/// (dispute/verify_table.go, verify_mem.go, verify_segments.go)
library TableOps {
    using Machine for VM;

    uint256 internal constant MAX_COPY_ELEMS = 8192;

    function isTableOp(uint256 k) internal pure returns (bool) {
        return k == 0x25 || k == 0x26 || k == 0xFC0C || k == 0xFC0D || k == 0xFC0E || k == 0xFC0F || k == 0xFC10
            || k == 0xFC11;
    }

    /// @notice H("referee/table/v1" || elemType || size || max || elementsRoot).
    function leaf(uint256 elem, uint256 size, uint256 max, bytes32 root) internal pure returns (bytes32 h) {
        bytes32 label = "referee/table/v1";
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, label)
            mstore8(add(p, 16), elem)
            mstore(add(p, 17), shl(224, size))
            mstore(add(p, 21), shl(224, max))
            mstore(add(p, 25), root)
            h := keccak256(p, 57)
        }
    }

    /// @notice Reads table addr's record and its siblings in the tables tree.
    function readTable(VM memory v, uint256 addr) internal pure returns (Table memory t) {
        uint256 start = v.off;
        t.addr = addr;
        t.elem = v.readUint(1, "table element type");
        t.size = v.readUint(4, "table size");
        t.max = v.readUint(4, "table max");
        t.root = v.readWord("table elements root");
        uint256 n = Machine.get(v.aux, Machine.AX_NTABLES, 4);
        t.depth = Hashing.depthFor(n);
        t.sib = v.siblings(t.depth, "table siblings");
        if (addr >= n) revert Rejected("table record", start, "no such table");
        (bytes32 got, bool ok) = Hashing.foldCd(Hashing.tablesDom(), addr, leaf(t.elem, t.size, t.max, t.root), t.sib, t.depth);
        if (!ok || got != Machine.getW(v.aux, Machine.AX_TABLES)) {
            revert Rejected("table record", start, "does not fold to the tables root");
        }
    }

    function writeTable(VM memory v, Table memory t, uint256 size, bytes32 root) internal pure {
        bytes32 l = leaf(t.elem, size, t.max, root);
        Machine.setW(v.aux, Machine.AX_TABLES, Machine.refold(Hashing.tablesDom(), t.addr, l, t.sib, t.depth));
    }

    /// @notice Reads element i of an opened table; returns it and its siblings' position.
    function readElem(VM memory v, Table memory t, uint256 i) internal pure returns (uint256 x, uint256 sib) {
        return v.valueProof(Hashing.elemsDom(), Hashing.depthFor(t.max), i, t.root, "table element");
    }

    function exec(VM memory v) internal pure {
        uint256 k = v.kind;
        if (k == 0xFC0D) return Segments.drop(v, 0);
        if (k == 0xFC0C || k == 0xFC0E) return initOrCopy(v);
        uint256 nargs;
        if (k == 0x25) nargs = 1;
        else if (k == 0x26 || k == 0xFC0F) nargs = 2;
        else if (k == 0xFC11) nargs = 3;
        uint256[3] memory args;
        for (uint256 i = nargs; i > 0; i--) args[i - 1] = v.pop();
        Table memory t = readTable(v, v.a);
        if (k == 0x25) {
            // table.get: pops i32 index, pushes the element
            uint256 i = uint32(args[0]);
            if (i >= t.size) return v.trap(Machine.TRAP_OOB_TABLE);
            (uint256 x,) = readElem(v, t, i);
            v.push(x);
        } else if (k == 0x26) {
            // table.set: pops ref, i32 index
            uint256 i = uint32(args[0]);
            if (i >= t.size) return v.trap(Machine.TRAP_OOB_TABLE);
            (, uint256 sib) = readElem(v, t, i);
            writeTable(v, t, t.size, Machine.refold(Hashing.elemsDom(), i, bytes32(args[1]), sib, Hashing.depthFor(t.max)));
        } else if (k == 0xFC10) {
            // table.size: pushes the size
            v.push(t.size);
        } else if (k == 0xFC0F) {
            // table.grow: pops i32 delta, ref init; pushes the old size or -1
            uint256 init = args[0];
            uint256 delta = uint32(args[1]);
            if (t.size + delta > t.max) {
                v.push(0xffffffff);
            } else {
                bytes32 root = t.root;
                if (delta != 0 && init != 0) root = fillElems(v, t, t.size, delta, init);
                v.push(t.size);
                writeTable(v, t, t.size + delta, root);
            }
        } else if (k == 0xFC11) {
            // table.fill: pops i32 n, ref val, i32 index
            uint256 i = uint32(args[0]);
            uint256 n = uint32(args[2]);
            if (i + n > t.size) return v.trap(Machine.TRAP_OOB_TABLE);
            if (n > 0) writeTable(v, t, t.size, fillElems(v, t, i, n, args[1]));
        } else {
            revert Rejected("not a table op", v.off, "");
        }
        v.next();
    }

    /// @notice The elements root after setting elements [i, i+n) (n > 0) to
    /// val, from the proofs of the first and the last element.
    function fillElems(VM memory v, Table memory t, uint256 i, uint256 n, uint256 val) internal pure returns (bytes32) {
        uint256 depth = Hashing.depthFor(t.max);
        Dom memory d = Hashing.elemsDom();
        (, uint256 sl) = readElem(v, t, uint32(i));
        if (n == 1) return Machine.refold(d, i, bytes32(val), sl, depth);
        (, uint256 sr) = readElem(v, t, uint32(i + n - 1));
        return MemoryOps.fillTree(d, depth, i, bytes32(val), cdSiblings(sl, depth), i + n - 1, bytes32(val), cdSiblings(sr, depth), bytes32(val));
    }

    function cdSiblings(uint256 pos, uint256 depth) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](depth);
        for (uint256 h = 0; h < depth; h++) s[h] = Machine.cdWord(pos + 32 * h);
    }

    /// @notice table.init (copies element segment b into table a) and
    /// table.copy (table b into table a); both pop i32 n, src, dst.
    function initOrCopy(VM memory v) internal pure {
        uint256[3] memory args;
        for (uint256 i = 3; i > 0; i--) args[i - 1] = v.pop();
        uint256 d = uint32(args[0]);
        uint256 src = uint32(args[1]);
        uint256 n = uint32(args[2]);
        Dom memory ed = Hashing.elemsDom();
        if (v.kind == 0xFC0C) {
            Table memory t = readTable(v, v.a);
            (uint256 content, uint256 ln) = Segments.read(v, 0, v.b);
            if (src + n > ln || d + n > t.size) return v.trap(Machine.TRAP_OOB_TABLE);
            if (n > 0) {
                Range memory dr = Ranges.read(v, ed, Hashing.depthFor(t.max), d, d + n - 1, true, t.root);
                bytes memory data = dr.data;
                for (uint256 i = 0; i < n; i++) {
                    uint256 x = Machine.cdUint(content + 8 * (src + i), 8);
                    assembly ("memory-safe") {
                        mstore(add(add(data, 32), mul(i, 32)), x)
                    }
                }
                writeTable(v, t, t.size, Ranges.rootOf(dr));
            }
        } else {
            Table memory td = readTable(v, v.a);
            Table memory ts = td;
            if (v.b != v.a) ts = readTable(v, v.b);
            if (src + n > ts.size || d + n > td.size) return v.trap(Machine.TRAP_OOB_TABLE);
            if (n > 0) {
                if (n > MAX_COPY_ELEMS) revert NotProvable("table.copy over 8192 elements");
                Range memory sr = Ranges.read(v, ed, Hashing.depthFor(ts.max), src, src + n - 1, true, ts.root);
                Range memory dr = Ranges.read(v, ed, Hashing.depthFor(td.max), d, d + n - 1, true, td.root);
                bytes memory from = sr.data;
                bytes memory to = dr.data;
                assembly ("memory-safe") {
                    mcopy(add(to, 32), add(from, 32), mul(n, 32))
                }
                writeTable(v, td, td.size, Ranges.rootOf(dr));
            }
        }
        v.next();
    }
}
