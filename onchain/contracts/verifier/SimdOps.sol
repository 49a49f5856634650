// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Dom, Hashing} from "./Hashing.sol";
import {VM, Machine, Rejected, NotProvable} from "./Machine.sol";
import {Control} from "./Control.sol";
import {Mem, Ranges} from "./Ranges.sol";
import {Chunk, MemoryOps} from "./MemoryOps.sol";

/// @title SimdOps: the vector instructions that move and compute integer
/// lanes, the v128 moves, and the vector loads and stores
/// (dispute/verify_simd.go, numeric/simd.go). A v128 is held as the 128-bit
/// little-endian number hi·2^64 + lo, so lane i of width w is bits
/// [i·w, (i+1)·w); on the value stack it is two slots, lo then hi.
library SimdOps {
    using Machine for VM;

    uint256 internal constant M64 = 0xffffffffffffffff;

    // ---- routing ----

    /// @notice Whether op kind k is a vector instruction or a v128 move
    /// (internal kinds 0x12..0x18, trace/ops.go).
    function isSimd(uint256 k) internal pure returns (bool) {
        return k >> 8 == 0xFD || (k >= 0x12 && k <= 0x18);
    }

    /// @notice The vector loads and stores (lanes, splats, zero, extend).
    function isMemory(uint256 k) internal pure returns (bool) {
        if (k >> 8 != 0xFD) return false;
        uint256 s = k & 0xff;
        return s <= 0x0b || (s >= 0x54 && s <= 0x5d);
    }

    /// @notice The instructions with float lanes read as f32 (SimdFloat.exec32).
    function isF32(uint256 k) internal pure returns (bool) {
        if (k >> 8 != 0xFD) return false;
        uint256 s = k & 0xff;
        return (s >= 0x41 && s <= 0x46) || s == 0x5f || (s >= 0x67 && s <= 0x6a) || (s >= 0xe0 && s <= 0xeb)
            || (s >= 0xf8 && s <= 0xfb);
    }

    /// @notice The instructions with float lanes read as f64 (SimdFloat.exec64).
    function isF64(uint256 k) internal pure returns (bool) {
        if (k >> 8 != 0xFD) return false;
        uint256 s = k & 0xff;
        return (s >= 0x47 && s <= 0x4c) || s == 0x5e || s == 0x74 || s == 0x75 || s == 0x7a || s == 0x94
            || (s >= 0xec && s <= 0xf7) || s >= 0xfc;
    }

    // ---- v128 on the window ----

    function pop128(VM memory v) internal pure returns (uint256) {
        uint256 hi = v.pop();
        uint256 lo = v.pop();
        return (hi << 64) | lo;
    }

    function push128(VM memory v, uint256 x) internal pure {
        v.push(x & M64);
        v.push((x >> 64) & M64);
    }

    // ---- lanes ----

    function lane(uint256 x, uint256 i, uint256 w) internal pure returns (uint256) {
        return (x >> (i * w)) & ((1 << w) - 1);
    }

    /// @notice The w-bit value x sign-extended.
    function sext(uint256 x, uint256 w) internal pure returns (int256) {
        return int256(x << (256 - w)) >> (256 - w);
    }

    function satS(int256 r, uint256 w) internal pure returns (uint256) {
        int256 hi = int256((1 << (w - 1)) - 1);
        int256 lo = -hi - 1;
        if (r > hi) r = hi;
        if (r < lo) r = lo;
        return uint256(r) & ((1 << w) - 1);
    }

    function satU(int256 r, uint256 w) internal pure returns (uint256) {
        if (r < 0) return 0;
        uint256 m = (1 << w) - 1;
        return uint256(r) > m ? m : uint256(r);
    }

    // ---- execution ----

    /// @notice Executes a vector instruction of this prover's class.
    function exec(VM memory v) internal pure {
        uint256 k = v.kind;
        if (k == 0x12) {
            pop128(v); // drop of a v128
        } else if (k == 0x13) {
            // select of two v128: pops c, b, a; pushes c ? a : b
            uint256 c = v.pop();
            uint256 b = pop128(v);
            uint256 a = pop128(v);
            push128(v, uint32(c) != 0 ? a : b);
        } else if (k >= 0x14 && k <= 0x16) {
            return local128(v);
        } else if (k == 0x17 || k == 0x18) {
            return global128(v);
        } else {
            if (k >> 8 != 0xFD) revert Rejected("not a vector instruction", v.off, "");
            uint256 s = k & 0xff;
            compute(v, s);
        }
        v.next();
    }

    /// @notice The lane-computing instructions (no memory, no float lanes).
    function compute(VM memory v, uint256 s) internal pure {
        if (s == 0x0c) {
            // v128.const: c = bytes 0..7, a = 8..11, b = 12..15 (little-endian)
            return push128(v, (v.b << 96) | (v.a << 64) | v.c);
        }
        if (s == 0x0d) {
            uint256 b = pop128(v);
            uint256 a = pop128(v);
            uint256 sel = (v.b << 96) | (v.a << 64) | v.c;
            uint256 r;
            for (uint256 i = 0; i < 16; i++) {
                uint256 l = lane(sel, i, 8);
                uint256 x = l < 16 ? lane(a, l, 8) : (l < 32 ? lane(b, l - 16, 8) : 0);
                r |= x << (8 * i);
            }
            return push128(v, r);
        }
        if (s >= 0x0f && s <= 0x14) {
            // splats (f32, f64 lanes too: bits)
            uint256 x = v.pop();
            uint256 w = s <= 0x0f ? 8 : (s == 0x10 ? 16 : (s == 0x11 || s == 0x13 ? 32 : 64));
            x &= (1 << w) - 1;
            uint256 r;
            for (uint256 i = 0; i < 128 / w; i++) r |= x << (i * w);
            return push128(v, r);
        }
        if (s >= 0x15 && s <= 0x22) return lanes(v, s);
        if (s == 0x52) {
            uint256 c = pop128(v);
            uint256 b = pop128(v);
            uint256 a = pop128(v);
            return push128(v, (a & c) | (b & ~c & ((1 << 128) - 1)));
        }
        if (s == 0x53 || s == 0x63 || s == 0x64 || s == 0x83 || s == 0x84 || s == 0xa3 || s == 0xa4 || s == 0xc3 || s == 0xc4) {
            return v.push(test(s, pop128(v)));
        }
        if (s == 0x6b || s == 0x6c || s == 0x6d || s == 0x8b || s == 0x8c || s == 0x8d || s == 0xab || s == 0xac
                || s == 0xad || s == 0xcb || s == 0xcc || s == 0xcd) {
            uint256 n = v.pop();
            return push128(v, shift(s, pop128(v), uint32(n)));
        }
        if (unary(s)) return push128(v, unaryOp(s, pop128(v)));
        uint256 y = pop128(v);
        uint256 x = pop128(v);
        push128(v, binaryOp(s, x, y));
    }

    /// @notice extract_lane and replace_lane (lane a).
    function lanes(VM memory v, uint256 s) internal pure {
        uint256 w = s <= 0x17 ? 8 : (s <= 0x1a ? 16 : (s <= 0x1c || s == 0x1f || s == 0x20 ? 32 : 64));
        bool replace = s == 0x17 || s == 0x1a || (s >= 0x1c && s % 2 == 0);
        if (v.a >= 128 / w) revert Rejected("lane index out of range", v.off, "");
        if (replace) {
            uint256 x = v.pop() & ((1 << w) - 1);
            uint256 a = pop128(v);
            uint256 m = ((1 << w) - 1) << (v.a * w);
            return push128(v, (a & ~m) | (x << (v.a * w)));
        }
        uint256 l = lane(pop128(v), v.a, w);
        if (s == 0x15 || s == 0x18) l = uint32(uint256(sext(l, w)));
        v.push(l);
    }

    function test(uint256 s, uint256 a) internal pure returns (uint256) {
        if (s == 0x53) return a != 0 ? 1 : 0;
        uint256 w = s <= 0x64 ? 8 : (s <= 0x84 ? 16 : (s <= 0xa4 ? 32 : 64));
        bool all = s == 0x63 || s == 0x83 || s == 0xa3 || s == 0xc3;
        uint256 r = all ? 1 : 0;
        for (uint256 i = 0; i < 128 / w; i++) {
            uint256 l = lane(a, i, w);
            if (all) {
                if (l == 0) return 0;
            } else {
                r |= (l >> (w - 1)) << i;
            }
        }
        return r;
    }

    function shift(uint256 s, uint256 a, uint256 n) internal pure returns (uint256 r) {
        uint256 w = s <= 0x6d ? 8 : (s <= 0x8d ? 16 : (s <= 0xad ? 32 : 64));
        uint256 kind = (s & 0xf) - 0xb; // 0 shl, 1 shr_s, 2 shr_u
        n %= w;
        uint256 m = (1 << w) - 1;
        for (uint256 i = 0; i < 128 / w; i++) {
            uint256 l = lane(a, i, w);
            uint256 x;
            if (kind == 0) x = (l << n) & m;
            else if (kind == 1) x = uint256(sext(l, w) >> n) & m;
            else x = l >> n;
            r |= x << (i * w);
        }
    }

    function unary(uint256 s) internal pure returns (bool) {
        return s == 0x4d || s == 0x60 || s == 0x61 || s == 0x62 || (s >= 0x7c && s <= 0x81) || (s >= 0x87 && s <= 0x8a)
            || s == 0xa0 || s == 0xa1 || (s >= 0xa7 && s <= 0xaa) || s == 0xc0 || s == 0xc1 || (s >= 0xc7 && s <= 0xca);
    }

    function unaryOp(uint256 s, uint256 a) internal pure returns (uint256 r) {
        if (s == 0x4d) return ~a & ((1 << 128) - 1);
        if (s == 0x7c || s == 0x7d || s == 0x7e || s == 0x7f) {
            // extadd_pairwise: lane i = ext(a[2i]) + ext(a[2i+1])
            uint256 w = s <= 0x7d ? 8 : 16;
            bool signed = s == 0x7c || s == 0x7e;
            for (uint256 i = 0; i < 64 / w; i++) {
                int256 p = ext(lane(a, 2 * i, w), w, signed) + ext(lane(a, 2 * i + 1, w), w, signed);
                r |= (uint256(p) & ((1 << (2 * w)) - 1)) << (i * 2 * w);
            }
            return r;
        }
        if ((s >= 0x87 && s <= 0x8a) || (s >= 0xa7 && s <= 0xaa) || (s >= 0xc7 && s <= 0xca)) {
            uint256 w = s <= 0x8a ? 8 : (s <= 0xaa ? 16 : 32);
            uint256 q = s & 0xf; // 7 low_s, 8 high_s, 9 low_u, 10 high_u
            return extend(a, w, q == 8 || q == 10, q <= 8);
        }
        uint256 w = s <= 0x62 ? 8 : (s <= 0x81 ? 16 : (s <= 0xa1 ? 32 : 64));
        uint256 m = (1 << w) - 1;
        uint256 op = s & 0xf; // 0 abs, 1 neg, 2 popcnt
        for (uint256 i = 0; i < 128 / w; i++) {
            uint256 l = lane(a, i, w);
            uint256 x;
            if (op == 0) x = uint256(sext(l, w) < 0 ? -sext(l, w) : sext(l, w)) & m;
            else if (op == 1) x = (m + 1 - l) & m;
            else x = popcnt(l);
            r |= x << (i * w);
        }
    }

    function popcnt(uint256 x) internal pure returns (uint256 n) {
        while (x != 0) {
            n += x & 1;
            x >>= 1;
        }
    }

    function ext(uint256 x, uint256 w, bool signed) internal pure returns (int256) {
        return signed ? sext(x, w) : int256(x);
    }

    /// @notice Widens the low (or high) half's lanes of width w to 2w.
    function extend(uint256 a, uint256 w, bool high, bool signed) internal pure returns (uint256 r) {
        uint256 n = 64 / w;
        for (uint256 i = 0; i < n; i++) {
            uint256 l = lane(a, i + (high ? n : 0), w);
            r |= (uint256(ext(l, w, signed)) & ((1 << (2 * w)) - 1)) << (i * 2 * w);
        }
    }

    /// @notice The comparisons of the order eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u.
    function cmp(uint256 k, int256 s1, int256 s2, uint256 u1, uint256 u2) internal pure returns (bool) {
        if (k == 0) return u1 == u2;
        if (k == 1) return u1 != u2;
        if (k == 2) return s1 < s2;
        if (k == 3) return u1 < u2;
        if (k == 4) return s1 > s2;
        if (k == 5) return u1 > u2;
        if (k == 6) return s1 <= s2;
        if (k == 7) return u1 <= u2;
        if (k == 8) return s1 >= s2;
        return u1 >= u2;
    }

    // binary lane op codes (the offset from the i8x16 add, 0x6e)
    uint256 internal constant ADD = 0;
    uint256 internal constant ADDSS = 1;
    uint256 internal constant ADDSU = 2;
    uint256 internal constant SUB = 3;
    uint256 internal constant SUBSS = 4;
    uint256 internal constant SUBSU = 5;
    uint256 internal constant MUL = 7;
    uint256 internal constant MINS = 8;
    uint256 internal constant MINU = 9;
    uint256 internal constant MAXS = 10;
    uint256 internal constant MAXU = 11;
    uint256 internal constant AVGR = 13;

    function binLane(uint256 op, uint256 w, uint256 x, uint256 y) internal pure returns (uint256) {
        uint256 m = (1 << w) - 1;
        unchecked {
            if (op == ADD) return (x + y) & m;
            if (op == SUB) return (x - y) & m;
            if (op == MUL) return (x * y) & m;
            if (op == ADDSU) return x + y > m ? m : x + y;
            if (op == SUBSU) return x > y ? x - y : 0;
            if (op == MINU) return x < y ? x : y;
            if (op == MAXU) return x > y ? x : y;
            if (op == AVGR) return (x + y + 1) >> 1;
            int256 a = sext(x, w);
            int256 b = sext(y, w);
            if (op == ADDSS) return satS(a + b, w);
            if (op == SUBSS) return satS(a - b, w);
            if (op == MINS) return a < b ? x : y;
            if (op == MAXS) return a > b ? x : y;
        }
        revert NotProvable("vector lane op");
    }

    function binaryOp(uint256 s, uint256 a, uint256 b) internal pure returns (uint256 r) {
        uint256 w;
        uint256 op;
        if (s >= 0x23 && s <= 0x40) {
            // integer comparisons
            uint256 base = s <= 0x2c ? 0x23 : (s <= 0x36 ? 0x2d : 0x37);
            w = s <= 0x2c ? 8 : (s <= 0x36 ? 16 : 32);
            return cmpLanes(s - base, w, a, b);
        }
        if (s >= 0xd6 && s <= 0xdb) return cmpLanes([uint256(0), 1, 2, 4, 6, 8][s - 0xd6], 64, a, b);
        uint256 full = (1 << 128) - 1;
        if (s == 0x4e) return a & b;
        if (s == 0x4f) return a & ~b & full;
        if (s == 0x50) return a | b;
        if (s == 0x51) return a ^ b;
        if (s == 0x0e) {
            for (uint256 i = 0; i < 16; i++) {
                uint256 l = lane(b, i, 8);
                if (l < 16) r |= lane(a, l, 8) << (8 * i);
            }
            return r;
        }
        if (s == 0x65 || s == 0x66 || s == 0x85 || s == 0x86) return narrow(a, b, s <= 0x66 ? 16 : 32, s == 0x65 || s == 0x85);
        if (s == 0x82) {
            // q15mulr_sat_s
            for (uint256 i = 0; i < 8; i++) {
                int256 p = (sext(lane(a, i, 16), 16) * sext(lane(b, i, 16), 16) + 0x4000) >> 15;
                r |= satS(p, 16) << (16 * i);
            }
            return r;
        }
        if (s == 0xba) {
            // dot_i16x8_s
            for (uint256 i = 0; i < 4; i++) {
                int256 p = sext(lane(a, 2 * i, 16), 16) * sext(lane(b, 2 * i, 16), 16)
                    + sext(lane(a, 2 * i + 1, 16), 16) * sext(lane(b, 2 * i + 1, 16), 16);
                r |= (uint256(p) & 0xffffffff) << (32 * i);
            }
            return r;
        }
        if ((s >= 0x9c && s <= 0x9f) || (s >= 0xbc && s <= 0xbf) || (s >= 0xdc && s <= 0xdf)) {
            w = s <= 0x9f ? 8 : (s <= 0xbf ? 16 : 32);
            uint256 q = s & 0x3; // 0 low_s, 1 high_s, 2 low_u, 3 high_u
            uint256 x = extend(a, w, q == 1 || q == 3, q <= 1);
            uint256 y = extend(b, w, q == 1 || q == 3, q <= 1);
            return zip(MUL, 2 * w, x, y);
        }
        if (s >= 0x6e && s <= 0x7b) {
            (w, op) = (8, s - 0x6e);
        } else if (s >= 0x8e && s <= 0x9b) {
            (w, op) = (16, s - 0x8e);
        } else if (s >= 0xae && s <= 0xb9) {
            (w, op) = (32, s - 0xae);
        } else if (s >= 0xce && s <= 0xd5) {
            (w, op) = (64, s - 0xce);
        } else {
            revert NotProvable("vector instruction");
        }
        return zip(op, w, a, b);
    }

    function zip(uint256 op, uint256 w, uint256 a, uint256 b) internal pure returns (uint256 r) {
        for (uint256 i = 0; i < 128 / w; i++) r |= binLane(op, w, lane(a, i, w), lane(b, i, w)) << (i * w);
    }

    function cmpLanes(uint256 k, uint256 w, uint256 a, uint256 b) internal pure returns (uint256 r) {
        uint256 m = (1 << w) - 1;
        for (uint256 i = 0; i < 128 / w; i++) {
            uint256 x = lane(a, i, w);
            uint256 y = lane(b, i, w);
            if (cmp(k, sext(x, w), sext(y, w), x, y)) r |= m << (i * w);
        }
    }

    /// @notice Narrows the signed lanes (width w) of a then b to w/2 with
    /// signed or unsigned saturation.
    function narrow(uint256 a, uint256 b, uint256 w, bool signed) internal pure returns (uint256 r) {
        uint256 n = 128 / w;
        uint256 h = w / 2;
        for (uint256 i = 0; i < 2 * n; i++) {
            int256 x = sext(lane(i < n ? a : b, i % n, w), w);
            r |= (signed ? satS(x, h) : satU(x, h)) << (i * h);
        }
    }

    // ---- locals and globals of type v128 ----

    /// @notice local.get/set/tee of a v128 local at slots a, a+1: the leaf
    /// of slot a and, if a+1 is in the next leaf, that leaf too.
    function local128(VM memory v) internal pure {
        if (v.a + 1 >= v.fn.locals) revert Rejected("v128 local out of range", v.off, "");
        uint256 x;
        if (v.kind != 0x14) x = pop128(v);
        uint256 depth = Control.localsDepth(v.fn.locals);
        Dom memory d = Hashing.localsDom();
        bytes32 root = Machine.getW(v.st, Machine.F_LOCALS);
        uint256 j0 = v.a / 4;
        uint256 j1 = (v.a + 1) / 4;
        uint256 sh0 = 192 - 64 * (v.a % 4);
        uint256 sh1 = 192 - 64 * ((v.a + 1) % 4);
        (bytes32 l0, uint256 sib0) = v.leafProof(d, depth, j0, root, "locals");
        (bytes32 l1, uint256 sib1) = (l0, sib0);
        if (j1 != j0) (l1, sib1) = v.leafProof(d, depth, j1, root, "locals (second slot)");
        if (v.kind == 0x14) {
            push128(v, ((uint256(l1) >> sh1) & M64) << 64 | ((uint256(l0) >> sh0) & M64));
            return v.next();
        }
        if (v.kind == 0x16) push128(v, x);
        l0 = bytes32((uint256(l0) & ~(M64 << sh0)) | ((x & M64) << sh0));
        if (j1 == j0) {
            l0 = bytes32((uint256(l0) & ~(M64 << sh1)) | ((x >> 64) << sh1));
            Machine.setW(v.st, Machine.F_LOCALS, Machine.refold(d, j0, l0, sib0, depth));
        } else {
            l1 = bytes32((uint256(l1) & ~(M64 << sh1)) | ((x >> 64) << sh1));
            Machine.setW(v.st, Machine.F_LOCALS, foldAfter(d, j0, l0, sib0, j1, l1, sib1, depth));
        }
        v.next();
    }

    /// @notice The root after leaves i and j (i != j, both verified against
    /// the same root, siblings at calldata positions si and sj) became li
    /// and lj: j's siblings, but at the height where the paths meet, i's
    /// new subtree.
    function foldAfter(Dom memory d, uint256 i, bytes32 li, uint256 si, uint256 j, bytes32 lj, uint256 sj, uint256 depth)
        internal
        pure
        returns (bytes32 h)
    {
        uint256 m = MemoryOps.bitLen(i ^ j) - 1;
        bytes32 t = Hashing.leafHash(d, li);
        for (uint256 k = 0; k < m; k++) {
            bytes32 s = Machine.cdWord(si + 32 * k);
            t = (i >> k) & 1 == 0 ? Hashing.nodeHash(d, t, s) : Hashing.nodeHash(d, s, t);
        }
        h = Hashing.leafHash(d, lj);
        for (uint256 k = 0; k < depth; k++) {
            bytes32 s = k == m ? t : Machine.cdWord(sj + 32 * k);
            h = (j >> k) & 1 == 0 ? Hashing.nodeHash(d, h, s) : Hashing.nodeHash(d, s, h);
        }
    }

    /// @notice global.get/set of a v128 global: its leaf holds bytes 8..15 at
    /// leaf bytes 16..23 and bytes 0..7 at 24..31.
    function global128(VM memory v) internal pure {
        bool isSet = v.kind == 0x18;
        uint256 x;
        if (isSet) x = pop128(v);
        uint256 n = Machine.get(v.st, Machine.ST_NGLOBALS, 4);
        if (v.a >= n) revert Rejected("global index out of range", v.off, "");
        uint256 depth = Hashing.depthFor(n);
        Dom memory d = Hashing.globalsDom();
        (bytes32 leaf, uint256 sib) = v.leafProof(d, depth, v.a, Machine.getW(v.st, Machine.ST_GLOBALS), "global");
        uint256 m128 = (1 << 128) - 1;
        if (isSet) {
            leaf = bytes32((uint256(leaf) & ~m128) | x);
            Machine.setW(v.st, Machine.ST_GLOBALS, Machine.refold(d, v.a, leaf, sib, depth));
        } else {
            uint256 w = uint256(leaf) & m128; // hi at bits 64..127, lo at 0..63: as a v128
            push128(v, w);
        }
        v.next();
    }

    // ---- vector loads and stores ----

    /// @notice The access width of a vector load or store (sub-opcode s).
    function memWidth(uint256 s) internal pure returns (uint256) {
        if (s == 0x00 || s == 0x0b) return 16;
        if (s <= 0x06 || s == 0x0a || s == 0x5d) return 8;
        if (s == 0x07) return 1;
        if (s == 0x08) return 2;
        if (s == 0x09 || s == 0x5c) return 4;
        return 1 << ((s - 0x54) % 4); // lanes 0x54..0x5b
    }

    /// @notice The vector loads and stores: the memory record, then (in
    /// bounds) the chunk(s) holding the bytes accessed.
    function execMemory(VM memory v) internal pure {
        if (!isMemory(v.kind)) revert Rejected("not a vector load or store", v.off, "");
        uint256 s = v.kind & 0xff;
        uint256 w = memWidth(s);
        uint256 val;
        // everything but the plain loads pops a v128 above the address
        if (!(s <= 0x0a || s == 0x5c || s == 0x5d)) val = pop128(v);
        uint256 addr = v.pop();
        Mem memory mi = MemoryOps.readMem(v);
        uint256 ea;
        unchecked {
            ea = uint64(uint32(addr) + v.c);
        }
        if (ea + w > mi.size * MemoryOps.PAGE) return v.trap(Machine.TRAP_OOB_MEMORY);
        Chunk[] memory cs = MemoryOps.access(v, mi, ea, w);
        if (s >= 0x54 && s <= 0x5b) {
            memLane(v, mi, cs, s, ea, w, val);
        } else if (s == 0x0b) {
            Ranges.writeMem(v, mi, mi.size, MemoryOps.store(cs, ea, 16, val, false));
        } else {
            push128(v, loaded(s, MemoryOps.load(cs, ea, w)));
        }
        v.next();
    }

    /// @notice load_lane and store_lane of lane a.
    function memLane(VM memory v, Mem memory mi, Chunk[] memory cs, uint256 s, uint256 ea, uint256 w, uint256 val)
        internal
        pure
    {
        if (v.a >= 16 / w) revert Rejected("lane index out of range", v.off, "");
        uint256 bits = 8 * w;
        uint256 sh = v.a * bits;
        if (s <= 0x57) {
            uint256 x = MemoryOps.load(cs, ea, w);
            push128(v, (val & ~(((1 << bits) - 1) << sh)) | (x << sh));
        } else {
            Ranges.writeMem(v, mi, mi.size, MemoryOps.store(cs, ea, w, lane(val, v.a, bits), false));
        }
    }

    /// @notice The vector a load makes of the bytes it read (x, little-endian).
    function loaded(uint256 s, uint256 x) internal pure returns (uint256 r) {
        if (s == 0x00 || s == 0x5c || s == 0x5d) return x;
        if (s <= 0x06) {
            uint256 w = s <= 0x02 ? 8 : (s <= 0x04 ? 16 : 32);
            return extend(x, w, false, s % 2 == 1);
        }
        uint256 ws = s == 0x07 ? 8 : (s == 0x08 ? 16 : (s == 0x09 ? 32 : 64));
        for (uint256 i = 0; i < 128 / ws; i++) r |= x << (i * ws);
    }
}
