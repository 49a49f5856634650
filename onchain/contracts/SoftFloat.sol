// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SoftFloatCore as C} from "./SoftFloatCore.sol";
import {SoftFloatConvert as V} from "./SoftFloatConvert.sol";

/// @title SoftFloat: IEEE-754 binary32 and binary64 arithmetic on bit patterns
/// @notice The float semantics of referee's reference machine (Go package
/// numeric), for the on-chain one-step verifier: round to nearest, ties to
/// even; every op that computes a new value (add, sub, mul, div, sqrt, min,
/// max, ceil, floor, trunc, nearest, demote, promote) returns the positive
/// canonical NaN (0x7fc00000, 0x7ff8000000000000) whenever its result is a
/// NaN; abs, neg and copysign only touch the sign bit; comparisons are
/// IEEE's (false on NaN except ne, -0 == +0). Trapping truncations return
/// numeric.Trap codes: 0 none, 3 integer overflow, 4 invalid conversion to
/// integer, with a zero result when they trap. Names and signatures are
/// those of package numeric in lowerCamel case; they are the interface
/// OneStepVerifier calls.
///
/// The arithmetic is SoftFloatCore's and SoftFloatConvert's, one
/// implementation for both formats; this file fixes the format and the
/// integer widths. It is tested bit for bit against numeric in
/// onchain/softfloat (docs/RATIONALE.md: "Why is the soft-float library
/// our own, and how is it tested?"). Gas: docs/RATIONALE.md, same entry.
library SoftFloat {
    // Formats as (significand bits with the hidden one, width).
    uint256 private constant P32 = 24;
    uint256 private constant W32 = 32;
    uint256 private constant P64 = 53;
    uint256 private constant W64 = 64;

    uint32 private constant SIGN32 = 0x80000000;
    uint64 private constant SIGN64 = 0x8000000000000000;

    // ---- f32 (uint32 bit patterns) ----

    function f32Add(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.add(a, b, P32, W32));
    }

    function f32Sub(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.add(a, b ^ SIGN32, P32, W32));
    }

    function f32Mul(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.mul(a, b, P32, W32));
    }

    function f32Div(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.div(a, b, P32, W32));
    }

    function f32Min(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.minMax(a, b, P32, W32, false));
    }

    function f32Max(uint32 a, uint32 b) internal pure returns (uint32) {
        return uint32(C.minMax(a, b, P32, W32, true));
    }

    function f32Copysign(uint32 a, uint32 b) internal pure returns (uint32) {
        return (a & ~SIGN32) | (b & SIGN32);
    }

    function f32Sqrt(uint32 a) internal pure returns (uint32) {
        return uint32(C.sqrt(a, P32, W32));
    }

    function f32Ceil(uint32 a) internal pure returns (uint32) {
        return uint32(V.roundToInt(a, P32, W32, V.CEIL));
    }

    function f32Floor(uint32 a) internal pure returns (uint32) {
        return uint32(V.roundToInt(a, P32, W32, V.FLOOR));
    }

    function f32Trunc(uint32 a) internal pure returns (uint32) {
        return uint32(V.roundToInt(a, P32, W32, V.TRUNC));
    }

    function f32Nearest(uint32 a) internal pure returns (uint32) {
        return uint32(V.roundToInt(a, P32, W32, V.NEAREST));
    }

    function f32Abs(uint32 a) internal pure returns (uint32) {
        return a & ~SIGN32;
    }

    function f32Neg(uint32 a) internal pure returns (uint32) {
        return a ^ SIGN32;
    }

    function f32Eq(uint32 a, uint32 b) internal pure returns (bool) {
        return C.eq(a, b, P32, W32);
    }

    function f32Ne(uint32 a, uint32 b) internal pure returns (bool) {
        return !C.eq(a, b, P32, W32);
    }

    function f32Lt(uint32 a, uint32 b) internal pure returns (bool) {
        return C.lt(a, b, P32, W32);
    }

    function f32Gt(uint32 a, uint32 b) internal pure returns (bool) {
        return C.lt(b, a, P32, W32);
    }

    function f32Le(uint32 a, uint32 b) internal pure returns (bool) {
        return C.le(a, b, P32, W32);
    }

    function f32Ge(uint32 a, uint32 b) internal pure returns (bool) {
        return C.le(b, a, P32, W32);
    }

    // ---- f64 (uint64 bit patterns) ----

    function f64Add(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.add(a, b, P64, W64));
    }

    function f64Sub(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.add(a, b ^ SIGN64, P64, W64));
    }

    function f64Mul(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.mul(a, b, P64, W64));
    }

    function f64Div(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.div(a, b, P64, W64));
    }

    function f64Min(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.minMax(a, b, P64, W64, false));
    }

    function f64Max(uint64 a, uint64 b) internal pure returns (uint64) {
        return uint64(C.minMax(a, b, P64, W64, true));
    }

    function f64Copysign(uint64 a, uint64 b) internal pure returns (uint64) {
        return (a & ~SIGN64) | (b & SIGN64);
    }

    function f64Sqrt(uint64 a) internal pure returns (uint64) {
        return uint64(C.sqrt(a, P64, W64));
    }

    function f64Ceil(uint64 a) internal pure returns (uint64) {
        return uint64(V.roundToInt(a, P64, W64, V.CEIL));
    }

    function f64Floor(uint64 a) internal pure returns (uint64) {
        return uint64(V.roundToInt(a, P64, W64, V.FLOOR));
    }

    function f64Trunc(uint64 a) internal pure returns (uint64) {
        return uint64(V.roundToInt(a, P64, W64, V.TRUNC));
    }

    function f64Nearest(uint64 a) internal pure returns (uint64) {
        return uint64(V.roundToInt(a, P64, W64, V.NEAREST));
    }

    function f64Abs(uint64 a) internal pure returns (uint64) {
        return a & ~SIGN64;
    }

    function f64Neg(uint64 a) internal pure returns (uint64) {
        return a ^ SIGN64;
    }

    function f64Eq(uint64 a, uint64 b) internal pure returns (bool) {
        return C.eq(a, b, P64, W64);
    }

    function f64Ne(uint64 a, uint64 b) internal pure returns (bool) {
        return !C.eq(a, b, P64, W64);
    }

    function f64Lt(uint64 a, uint64 b) internal pure returns (bool) {
        return C.lt(a, b, P64, W64);
    }

    function f64Gt(uint64 a, uint64 b) internal pure returns (bool) {
        return C.lt(b, a, P64, W64);
    }

    function f64Le(uint64 a, uint64 b) internal pure returns (bool) {
        return C.le(a, b, P64, W64);
    }

    function f64Ge(uint64 a, uint64 b) internal pure returns (bool) {
        return C.le(b, a, P64, W64);
    }

    // ---- conversions between floats ----

    function f32DemoteF64(uint64 a) internal pure returns (uint32) {
        return uint32(V.convertFloat(a, P64, W64, P32, W32));
    }

    function f64PromoteF32(uint32 a) internal pure returns (uint64) {
        return uint64(V.convertFloat(a, P32, W32, P64, W64));
    }

    // ---- integer to float (round to nearest even, once) ----

    function f32ConvertI32S(uint32 a) internal pure returns (uint32) {
        return uint32(V.fromInt(a, 32, true, P32, W32));
    }

    function f32ConvertI32U(uint32 a) internal pure returns (uint32) {
        return uint32(V.fromInt(a, 32, false, P32, W32));
    }

    function f32ConvertI64S(uint64 a) internal pure returns (uint32) {
        return uint32(V.fromInt(a, 64, true, P32, W32));
    }

    function f32ConvertI64U(uint64 a) internal pure returns (uint32) {
        return uint32(V.fromInt(a, 64, false, P32, W32));
    }

    function f64ConvertI32S(uint32 a) internal pure returns (uint64) {
        return uint64(V.fromInt(a, 32, true, P64, W64));
    }

    function f64ConvertI32U(uint32 a) internal pure returns (uint64) {
        return uint64(V.fromInt(a, 32, false, P64, W64));
    }

    function f64ConvertI64S(uint64 a) internal pure returns (uint64) {
        return uint64(V.fromInt(a, 64, true, P64, W64));
    }

    function f64ConvertI64U(uint64 a) internal pure returns (uint64) {
        return uint64(V.fromInt(a, 64, false, P64, W64));
    }

    // ---- float to integer, trapping (trap codes of numeric.Trap) ----

    function i32TruncF32S(uint32 a) internal pure returns (uint8 trap, uint32 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P32, W32, 32, true);
        r = uint32(v);
    }

    function i32TruncF32U(uint32 a) internal pure returns (uint8 trap, uint32 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P32, W32, 32, false);
        r = uint32(v);
    }

    function i32TruncF64S(uint64 a) internal pure returns (uint8 trap, uint32 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P64, W64, 32, true);
        r = uint32(v);
    }

    function i32TruncF64U(uint64 a) internal pure returns (uint8 trap, uint32 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P64, W64, 32, false);
        r = uint32(v);
    }

    function i64TruncF32S(uint32 a) internal pure returns (uint8 trap, uint64 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P32, W32, 64, true);
        r = uint64(v);
    }

    function i64TruncF32U(uint32 a) internal pure returns (uint8 trap, uint64 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P32, W32, 64, false);
        r = uint64(v);
    }

    function i64TruncF64S(uint64 a) internal pure returns (uint8 trap, uint64 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P64, W64, 64, true);
        r = uint64(v);
    }

    function i64TruncF64U(uint64 a) internal pure returns (uint8 trap, uint64 r) {
        uint256 v;
        (trap, v) = V.truncToInt(a, P64, W64, 64, false);
        r = uint64(v);
    }

    // ---- float to integer, saturating (NaN gives 0) ----

    function i32TruncSatF32S(uint32 a) internal pure returns (uint32) {
        return uint32(V.truncSat(a, P32, W32, 32, true));
    }

    function i32TruncSatF32U(uint32 a) internal pure returns (uint32) {
        return uint32(V.truncSat(a, P32, W32, 32, false));
    }

    function i32TruncSatF64S(uint64 a) internal pure returns (uint32) {
        return uint32(V.truncSat(a, P64, W64, 32, true));
    }

    function i32TruncSatF64U(uint64 a) internal pure returns (uint32) {
        return uint32(V.truncSat(a, P64, W64, 32, false));
    }

    function i64TruncSatF32S(uint32 a) internal pure returns (uint64) {
        return uint64(V.truncSat(a, P32, W32, 64, true));
    }

    function i64TruncSatF32U(uint32 a) internal pure returns (uint64) {
        return uint64(V.truncSat(a, P32, W32, 64, false));
    }

    function i64TruncSatF64S(uint64 a) internal pure returns (uint64) {
        return uint64(V.truncSat(a, P64, W64, 64, true));
    }

    function i64TruncSatF64U(uint64 a) internal pure returns (uint64) {
        return uint64(V.truncSat(a, P64, W64, 64, false));
    }
}
