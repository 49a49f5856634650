// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";
import {VM, Machine, Rejected, NotProvable} from "./Machine.sol";
import {Mem, Range, Ranges} from "./Ranges.sol";
import {Segments} from "./Segments.sol";

/// @notice One opened 32-byte memory chunk and its 27 siblings.
struct Chunk {
    uint256 addr; // the chunk's first byte (u32)
    bytes32 data;
    bytes32[] sib;
}

/// @title MemoryOps: loads, stores, memory.size/grow/fill/copy/init and
/// data.drop (dispute/verify_mem.go, verify_bulk.go, verify_segments.go)
library MemoryOps {
    using Machine for VM;

    uint256 internal constant PAGE = 65536;
    uint256 internal constant MAX_COPY_BYTES = 65536;
    uint256 internal constant MEMORY_DEPTH = 27;

    function isMemoryOp(uint256 k) internal pure returns (bool) {
        return (k >= 0x28 && k <= 0x40) || k == 0xFC0A || k == 0xFC0B || k == 0xFC08 || k == 0xFC09;
    }

    /// @notice The running function's memory record.
    function readMem(VM memory v) internal pure returns (Mem memory) {
        uint256 m = v.fn.mem;
        if (m == 0xffffffff || m >= Machine.get(v.st, Machine.ST_NMEMS, 4)) {
            revert Rejected("memory op in a function without memory", v.off, "");
        }
        return Ranges.readMemAt(v, m);
    }

    /// @notice Reads the 896-byte proof of the chunk holding addr (u32).
    function readChunk(VM memory v, Mem memory mi, uint256 addr) internal pure returns (Chunk memory c) {
        uint256 start = v.off;
        uint256 pos = v.take(896, "memory chunk");
        c.addr = addr & ~uint256(31);
        c.data = Machine.cdWord(pos);
        c.sib = new bytes32[](MEMORY_DEPTH);
        for (uint256 h = 0; h < MEMORY_DEPTH; h++) c.sib[h] = Machine.cdWord(pos + 32 + 32 * h);
        if (Hashing.foldMem(Hashing.memoryDom(), addr >> 5, c.data, c.sib) != mi.root) {
            revert Rejected("memory chunk", start, "does not fold to the memory root");
        }
    }

    /// @notice Reads the chunk holding addr (another chunk than a's) in its
    /// short form: its data and its m lowest siblings, m+1 being the height
    /// where its path meets a's (docs/proof-format.md §3.2).
    function readSecondChunk(VM memory v, Mem memory mi, Chunk memory a, uint256 addr)
        internal
        pure
        returns (Chunk memory c)
    {
        uint256 i = a.addr >> 5;
        uint256 j = addr >> 5;
        if (i == j) revert Rejected("second memory chunk is the first", v.off, "");
        uint256 m = bitLen(i ^ j) - 1;
        uint256 start = v.off;
        c.addr = addr & ~uint256(31);
        c.data = v.readWord("memory chunk");
        uint256 low = v.siblings(m, "memory chunk siblings");
        c.sib = new bytes32[](MEMORY_DEPTH);
        for (uint256 h = 0; h < m; h++) c.sib[h] = Machine.cdWord(low + 32 * h);
        Dom memory d = Hashing.memoryDom();
        bytes32 s = Hashing.leafHash(d, a.data);
        for (uint256 h = 0; h < m; h++) {
            s = (i >> h) & 1 == 0 ? Hashing.nodeHash(d, s, a.sib[h]) : Hashing.nodeHash(d, a.sib[h], s);
        }
        c.sib[m] = s;
        for (uint256 h = m + 1; h < MEMORY_DEPTH; h++) c.sib[h] = a.sib[h];
        if (Hashing.foldMem(d, j, c.data, c.sib) != mi.root) {
            revert Rejected("memory chunk", start, "does not fold to the memory root");
        }
    }

    function bitLen(uint256 x) internal pure returns (uint256 n) {
        while (x != 0) {
            x >>= 1;
            n++;
        }
    }

    /// @notice Opens the one or two chunks holding bytes [ea, ea+w) (in bounds).
    function access(VM memory v, Mem memory mi, uint256 ea, uint256 w) internal pure returns (Chunk[] memory cs) {
        Chunk memory a = readChunk(v, mi, uint32(ea));
        uint256 last;
        unchecked {
            last = uint32(ea + w - 1);
        }
        if (last & ~uint256(31) != a.addr) {
            cs = new Chunk[](2);
            cs[1] = readSecondChunk(v, mi, a, last);
        } else {
            cs = new Chunk[](1);
        }
        cs[0] = a;
    }

    /// @notice The w (<= 8) bytes at ea of the opened chunks, little-endian.
    function load(Chunk[] memory cs, uint256 ea, uint256 w) internal pure returns (uint256 x) {
        uint256 got;
        for (uint256 c = 0; c < cs.length; c++) {
            for (uint256 i = 0; i < 32 && got < w; i++) {
                uint256 addr = cs[c].addr + i;
                if (addr >= ea && addr < ea + w) {
                    x |= uint256(uint8(cs[c].data[i])) << (8 * got);
                    got++;
                }
            }
        }
    }

    /// @notice Stores bytes (one each, value byte `b0` repeated when fill, else
    /// the little-endian bytes of x) at [ea, ea+n) in the opened chunks and
    /// returns the new memory tree root.
    function store(Chunk[] memory cs, uint256 ea, uint256 n, uint256 x, bool fill) internal pure returns (bytes32) {
        for (uint256 c = 0; c < cs.length; c++) {
            uint256 data = uint256(cs[c].data);
            for (uint256 i = 0; i < 32; i++) {
                uint256 addr = cs[c].addr + i;
                if (addr >= ea && addr < ea + n) {
                    uint256 b = fill ? x & 0xff : (x >> (8 * (addr - ea))) & 0xff;
                    uint256 sh = 8 * (31 - i);
                    data = (data & ~(uint256(0xff) << sh)) | (b << sh);
                }
            }
            cs[c].data = bytes32(data);
        }
        Dom memory d = Hashing.memoryDom();
        if (cs.length == 1) return Hashing.foldMem(d, cs[0].addr >> 5, cs[0].data, cs[0].sib);
        // the second chunk's sibling where the paths meet is now the first's new subtree
        uint256 i0 = cs[0].addr >> 5;
        uint256 i1 = cs[1].addr >> 5;
        uint256 meet = bitLen(i0 ^ i1) - 1;
        bytes32 s = Hashing.leafHash(d, cs[0].data);
        for (uint256 h = 0; h < meet; h++) {
            s = (i0 >> h) & 1 == 0 ? Hashing.nodeHash(d, s, cs[0].sib[h]) : Hashing.nodeHash(d, cs[0].sib[h], s);
        }
        bytes32[] memory sib = new bytes32[](MEMORY_DEPTH);
        for (uint256 h = 0; h < MEMORY_DEPTH; h++) sib[h] = cs[1].sib[h];
        sib[meet] = s;
        return Hashing.foldMem(d, i1, cs[1].data, sib);
    }

    function width(uint256 k) internal pure returns (uint256) {
        if (k == 0x28 || k == 0x2a || k == 0x34 || k == 0x35 || k == 0x36 || k == 0x38 || k == 0x3e) return 4;
        if (k == 0x29 || k == 0x2b || k == 0x37 || k == 0x39) return 8;
        if (k == 0x2c || k == 0x2d || k == 0x30 || k == 0x31 || k == 0x3a || k == 0x3c) return 1;
        return 2;
    }

    /// @notice Executes a memory op.
    function exec(VM memory v) internal pure {
        uint256 k = v.kind;
        if (k == 0xFC09) return Segments.drop(v, 1);
        uint256 nargs;
        if ((k >= 0x28 && k <= 0x35) || k == 0x40) nargs = 1;
        else if (k >= 0x36 && k <= 0x3e) nargs = 2;
        else if (k == 0xFC0B || k == 0xFC0A || k == 0xFC08) nargs = 3;
        uint256[3] memory args;
        for (uint256 i = nargs; i > 0; i--) args[i - 1] = v.pop();
        Mem memory mi = readMem(v);
        uint256 bytesIn = mi.size * PAGE;
        if (k == 0x3f) {
            // memory.size: pushes the size in pages
            v.push(mi.size);
        } else if (k == 0x40) {
            // memory.grow: pops i32 delta, pushes the old size or -1
            uint256 delta = uint32(args[0]);
            if (mi.size + delta > mi.max) {
                v.push(0xffffffff);
            } else {
                v.push(mi.size);
                Ranges.writeMem(v, mi, mi.size + delta, mi.root);
            }
        } else if (k <= 0x3e) {
            // loads pop i32 addr and push the value; stores pop value, addr
            uint256 w = width(k);
            uint256 ea;
            uint256 end;
            unchecked {
                ea = uint64(uint32(args[0]) + v.c);
                end = uint64(ea + w);
            }
            if (end > bytesIn) return v.trap(Machine.TRAP_OOB_MEMORY);
            Chunk[] memory cs = access(v, mi, ea, w);
            if (k <= 0x35) {
                uint256 x = load(cs, ea, w);
                if (k == 0x2c) x = uint32(uint256(int256(int8(uint8(x)))));
                else if (k == 0x30) x = uint64(uint256(int256(int8(uint8(x)))));
                else if (k == 0x2e) x = uint32(uint256(int256(int16(uint16(x)))));
                else if (k == 0x32) x = uint64(uint256(int256(int16(uint16(x)))));
                else if (k == 0x34) x = uint64(uint256(int256(int32(uint32(x)))));
                v.push(x);
            } else {
                Ranges.writeMem(v, mi, mi.size, store(cs, ea, w, args[1], false));
            }
        } else if (k == 0xFC0B) {
            // memory.fill: pops i32 n, i32 val, i32 dst
            fill(v, mi, uint32(args[0]), args[1] & 0xff, uint32(args[2]), bytesIn);
            if (v.trapped) return;
        } else if (k == 0xFC0A) {
            // memory.copy: pops i32 n, src, dst
            uint256 d = uint32(args[0]);
            uint256 src = uint32(args[1]);
            uint256 n = uint32(args[2]);
            if (src + n > bytesIn || d + n > bytesIn) return v.trap(Machine.TRAP_OOB_MEMORY);
            if (n != 0) {
                if (n > MAX_COPY_BYTES) revert NotProvable("memory.copy over 65536 bytes");
                Range memory sr = Ranges.readMem(v, mi, src, n);
                Range memory dr = Ranges.readMem(v, mi, d, n);
                uint256 from = Ranges.at(sr, src);
                uint256 to = Ranges.at(dr, d);
                assembly ("memory-safe") {
                    mcopy(to, from, n)
                }
                Ranges.writeMem(v, mi, mi.size, Ranges.rootOf(dr));
            }
        } else if (k == 0xFC08) {
            // memory.init: pops i32 n, src, dst; copies data segment b into memory
            uint256 d = uint32(args[0]);
            uint256 src = uint32(args[1]);
            uint256 n = uint32(args[2]);
            (uint256 content, uint256 ln) = Segments.read(v, 1, v.b);
            if (src + n > ln || d + n > bytesIn) return v.trap(Machine.TRAP_OOB_MEMORY);
            if (n != 0) {
                if (n > MAX_COPY_BYTES) revert NotProvable("memory.init over 65536 bytes");
                Range memory dr = Ranges.readMem(v, mi, d, n);
                uint256 to = Ranges.at(dr, d);
                assembly ("memory-safe") {
                    calldatacopy(to, add(content, src), n)
                }
                Ranges.writeMem(v, mi, mi.size, Ranges.rootOf(dr));
            }
        } else {
            revert Rejected("not a memory op", v.off, "");
        }
        v.next();
    }

    /// @notice memory.fill of [d, d+n) with val: one chunk, or the first and
    /// last chunks climbed together (dispute.fillRoot).
    function fill(VM memory v, Mem memory mi, uint256 d, uint256 val, uint256 n, uint256 bytesIn) internal pure {
        if (d + n > bytesIn) return v.trap(Machine.TRAP_OOB_MEMORY);
        if (n == 0) return;
        bytes32 root;
        if (d >> 5 == (d + n - 1) >> 5) {
            root = store(access(v, mi, d, n), d, n, val, true);
        } else {
            Chunk[] memory cs = new Chunk[](2);
            cs[0] = readChunk(v, mi, uint32(d));
            cs[1] = readSecondChunk(v, mi, cs[0], uint32(d + n - 1));
            // write the filled bytes of both edge chunks
            for (uint256 c = 0; c < 2; c++) {
                uint256 data = uint256(cs[c].data);
                for (uint256 i = 0; i < 32; i++) {
                    uint256 addr = cs[c].addr + i;
                    if (addr >= d && addr < d + n) {
                        uint256 sh = 8 * (31 - i);
                        data = (data & ~(uint256(0xff) << sh)) | (val << sh);
                    }
                }
                cs[c].data = bytes32(data);
            }
            root = fillTree(
                Hashing.memoryDom(),
                MEMORY_DEPTH,
                cs[0].addr >> 5,
                cs[0].data,
                cs[0].sib,
                cs[1].addr >> 5,
                cs[1].data,
                cs[1].sib,
                bytes32(val * 0x0101010101010101010101010101010101010101010101010101010101010101)
            );
        }
        Ranges.writeMem(v, mi, mi.size, root);
    }

    /// @notice The root of a tree after setting leaves l … r (l < r) to fill,
    /// except l and r which become leafL and leafR (dispute.fillTree).
    function fillTree(
        Dom memory d,
        uint256 depth,
        uint256 l,
        bytes32 leafL,
        bytes32[] memory sibL,
        uint256 r,
        bytes32 leafR,
        bytes32[] memory sibR,
        bytes32 fillLeaf
    ) internal pure returns (bytes32 cur) {
        bytes32 u = Hashing.leafHash(d, fillLeaf);
        bytes32 lh = Hashing.leafHash(d, leafL);
        bytes32 rh = Hashing.leafHash(d, leafR);
        bool merged;
        for (uint256 h = 0; h < depth; h++) {
            uint256 li = l >> h;
            uint256 ri = r >> h;
            if (merged) {
                cur = li & 1 == 0 ? Hashing.nodeHash(d, cur, sibL[h]) : Hashing.nodeHash(d, sibL[h], cur);
            } else if (li ^ 1 == ri) {
                cur = Hashing.nodeHash(d, lh, rh);
                merged = true;
            } else {
                lh = li & 1 == 1 ? Hashing.nodeHash(d, sibL[h], lh) : Hashing.nodeHash(d, lh, u);
                rh = ri & 1 == 0 ? Hashing.nodeHash(d, rh, sibR[h]) : Hashing.nodeHash(d, u, rh);
            }
            u = Hashing.nodeHash(d, u, u);
        }
    }
}
