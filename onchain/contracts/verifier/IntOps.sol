// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VM, Machine, NotProvable} from "./Machine.sol";

/// @title IntOps: the integer ops and the float ops that only move bits
/// (dispute/verify_num.go's intOp), and the operand count of every numeric op
library IntOps {
    using Machine for VM;

    uint256 internal constant M32 = 0xffffffff;
    uint256 internal constant M64 = 0xffffffffffffffff;

    /// @notice The number of operands of a numeric op, 0 if k is not one
    /// (numArity).
    function arity(uint256 k) internal pure returns (uint256) {
        if (k == 0x45 || k == 0x50) return 1;
        if (k >= 0x46 && k <= 0x66) return 2;
        if ((k >= 0x67 && k <= 0x69) || (k >= 0x79 && k <= 0x7b)) return 1;
        if ((k >= 0x6a && k <= 0x78) || (k >= 0x7c && k <= 0x8a)) return 2;
        if ((k >= 0x8b && k <= 0x91) || (k >= 0x99 && k <= 0x9f)) return 1;
        if ((k >= 0x92 && k <= 0x98) || (k >= 0xa0 && k <= 0xa6)) return 2;
        if (k >= 0xa7 && k <= 0xc4) return 1;
        if (k >= 0xfc00 && k <= 0xfc07) return 1;
        return 0;
    }

    /// @notice Whether intOp covers k (the rest of the numeric ops are floats).
    function isInt(uint256 k) internal pure returns (bool) {
        return (k >= 0x45 && k <= 0x5a) || (k >= 0x67 && k <= 0x8a) || k == 0xa7 || k == 0xac || k == 0xad
            || (k >= 0xbc && k <= 0xc4) || k == 0x8b || k == 0x8c || k == 0x98 || k == 0x99 || k == 0x9a || k == 0xa6;
    }

    /// @notice Pops the operands of numeric op k (a, b: b is the top).
    function operands(VM memory v) internal pure returns (uint256 a, uint256 b) {
        uint256 n = arity(v.kind);
        if (n == 0) revert NotProvable("not a numeric op");
        if (n == 2) b = v.pop();
        a = v.pop();
    }

    /// @notice Pushes r or traps with t, and moves on.
    function result(VM memory v, uint256 r, uint256 t) internal pure {
        if (t != 0) return v.trap(t);
        v.push(r);
        v.next();
    }

    function exec(VM memory v) internal pure {
        (uint256 a, uint256 b) = operands(v);
        if (!isInt(v.kind)) revert NotProvable("a float op sent to the integer prover");
        (uint256 r, uint256 t) = intOp(v.kind, a, b);
        result(v, r, t);
    }

    function b2u(bool x) private pure returns (uint256) {
        return x ? 1 : 0;
    }

    function s32(uint256 x) private pure returns (int256) {
        return int256(int32(uint32(x)));
    }

    function s64(uint256 x) private pure returns (int256) {
        return int256(int64(uint64(x)));
    }

    function clz(uint256 x, uint256 w) private pure returns (uint256 n) {
        n = w;
        while (x != 0) {
            x >>= 1;
            n--;
        }
    }

    function ctz(uint256 x, uint256 w) private pure returns (uint256 n) {
        if (x == 0) return w;
        while (x & 1 == 0) {
            x >>= 1;
            n++;
        }
    }

    function popcnt(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            x &= x - 1;
            n++;
        }
    }

    function rotl(uint256 x, uint256 s, uint256 w) private pure returns (uint256) {
        uint256 m = w == 32 ? M32 : M64;
        s %= w;
        return ((x << s) | (x >> (w - s))) & m;
    }

    /// @notice The integer ops (numeric.I32DivS and kin for the trapping ones:
    /// 2 = divide by zero, 3 = overflow).
    function intOp(uint256 k, uint256 a, uint256 b) internal pure returns (uint256 r, uint256 t) {
        uint256 x = a & M32;
        uint256 y = b & M32;
        unchecked {
            if (k <= 0x5a) {
                // ---- comparisons ----
                if (k == 0x45) return (b2u(x == 0), 0);
                if (k == 0x46) return (b2u(x == y), 0);
                if (k == 0x47) return (b2u(x != y), 0);
                if (k == 0x48) return (b2u(s32(x) < s32(y)), 0);
                if (k == 0x49) return (b2u(x < y), 0);
                if (k == 0x4a) return (b2u(s32(x) > s32(y)), 0);
                if (k == 0x4b) return (b2u(x > y), 0);
                if (k == 0x4c) return (b2u(s32(x) <= s32(y)), 0);
                if (k == 0x4d) return (b2u(x <= y), 0);
                if (k == 0x4e) return (b2u(s32(x) >= s32(y)), 0);
                if (k == 0x4f) return (b2u(x >= y), 0);
                if (k == 0x50) return (b2u(a == 0), 0);
                if (k == 0x51) return (b2u(a == b), 0);
                if (k == 0x52) return (b2u(a != b), 0);
                if (k == 0x53) return (b2u(s64(a) < s64(b)), 0);
                if (k == 0x54) return (b2u(a < b), 0);
                if (k == 0x55) return (b2u(s64(a) > s64(b)), 0);
                if (k == 0x56) return (b2u(a > b), 0);
                if (k == 0x57) return (b2u(s64(a) <= s64(b)), 0);
                if (k == 0x58) return (b2u(a <= b), 0);
                if (k == 0x59) return (b2u(s64(a) >= s64(b)), 0);
                return (b2u(a >= b), 0);
            }
            if (k <= 0x78) {
                // ---- i32 ----
                if (k == 0x67) return (clz(x, 32), 0);
                if (k == 0x68) return (ctz(x, 32), 0);
                if (k == 0x69) return (popcnt(x), 0);
                if (k == 0x6a) return ((x + y) & M32, 0);
                if (k == 0x6b) return ((x - y) & M32, 0);
                if (k == 0x6c) return ((x * y) & M32, 0);
                if (k == 0x6d) {
                    if (y == 0) return (0, 2);
                    if (x == 0x80000000 && y == M32) return (0, 3);
                    return (uint256(s32(x) / s32(y)) & M32, 0);
                }
                if (k == 0x6e) {
                    if (y == 0) return (0, 2);
                    return (x / y, 0);
                }
                if (k == 0x6f) {
                    if (y == 0) return (0, 2);
                    if (y == M32) return (0, 0);
                    return (uint256(s32(x) % s32(y)) & M32, 0);
                }
                if (k == 0x70) {
                    if (y == 0) return (0, 2);
                    return (x % y, 0);
                }
                if (k == 0x71) return (x & y, 0);
                if (k == 0x72) return (x | y, 0);
                if (k == 0x73) return (x ^ y, 0);
                if (k == 0x74) return ((x << (y & 31)) & M32, 0);
                if (k == 0x75) return (uint256(s32(x) >> (y & 31)) & M32, 0);
                if (k == 0x76) return (x >> (y & 31), 0);
                if (k == 0x77) return (rotl(x, y & 31, 32), 0);
                return (rotl(x, (32 - (y & 31)) % 32, 32), 0);
            }
            if (k <= 0x8a) {
                // ---- i64 ----
                if (k == 0x79) return (clz(a, 64), 0);
                if (k == 0x7a) return (ctz(a, 64), 0);
                if (k == 0x7b) return (popcnt(a), 0);
                if (k == 0x7c) return ((a + b) & M64, 0);
                if (k == 0x7d) return ((a - b) & M64, 0);
                if (k == 0x7e) return ((a * b) & M64, 0);
                if (k == 0x7f) {
                    if (b == 0) return (0, 2);
                    if (a == 0x8000000000000000 && b == M64) return (0, 3);
                    return (uint256(s64(a) / s64(b)) & M64, 0);
                }
                if (k == 0x80) {
                    if (b == 0) return (0, 2);
                    return (a / b, 0);
                }
                if (k == 0x81) {
                    if (b == 0) return (0, 2);
                    if (b == M64) return (0, 0);
                    return (uint256(s64(a) % s64(b)) & M64, 0);
                }
                if (k == 0x82) {
                    if (b == 0) return (0, 2);
                    return (a % b, 0);
                }
                if (k == 0x83) return (a & b, 0);
                if (k == 0x84) return (a | b, 0);
                if (k == 0x85) return (a ^ b, 0);
                if (k == 0x86) return ((a << (b & 63)) & M64, 0);
                if (k == 0x87) return (uint256(s64(a) >> (b & 63)) & M64, 0);
                if (k == 0x88) return (a >> (b & 63), 0);
                if (k == 0x89) return (rotl(a, b & 63, 64), 0);
                return (rotl(a, (64 - (b & 63)) % 64, 64), 0);
            }
            // ---- conversions, sign extension, bit-only float ops ----
            if (k == 0xa7) return (x, 0); // i32.wrap_i64
            if (k == 0xac) return (uint256(s32(x)) & M64, 0); // i64.extend_i32_s
            if (k == 0xad) return (x, 0); // i64.extend_i32_u
            if (k >= 0xbc && k <= 0xbf) return (a, 0); // reinterpretations
            if (k == 0xc0) return (uint256(int256(int8(uint8(x)))) & M32, 0);
            if (k == 0xc1) return (uint256(int256(int16(uint16(x)))) & M32, 0);
            if (k == 0xc2) return (uint256(int256(int8(uint8(a)))) & M64, 0);
            if (k == 0xc3) return (uint256(int256(int16(uint16(a)))) & M64, 0);
            if (k == 0xc4) return (uint256(int256(int32(uint32(a)))) & M64, 0);
            if (k == 0x8b) return (x & 0x7fffffff, 0); // f32.abs
            if (k == 0x8c) return (x ^ 0x80000000, 0); // f32.neg
            if (k == 0x98) return ((x & 0x7fffffff) | (y & 0x80000000), 0); // f32.copysign
            if (k == 0x99) return (a & 0x7fffffffffffffff, 0); // f64.abs
            if (k == 0x9a) return (a ^ 0x8000000000000000, 0); // f64.neg
            if (k == 0xa6) return ((a & 0x7fffffffffffffff) | (b & 0x8000000000000000), 0); // f64.copysign
        }
        revert NotProvable("not an integer op");
    }
}
