// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SoftFloat: IEEE-754 binary32 and binary64 arithmetic on bit patterns
/// @notice The float semantics of referee's reference machine (Go package
/// numeric), for the on-chain one-step verifier: round to nearest, ties to
/// even; every op that computes a new value (add, sub, mul, div, sqrt, min,
/// max, ceil, floor, trunc, nearest, demote, promote) returns the positive
/// canonical NaN (0x7fc00000, 0x7ff8000000000000) whenever its result is a
/// NaN; abs, neg and copysign only touch the sign bit. Trapping truncations
/// return numeric.Trap codes: 0 none, 3 integer overflow, 4 invalid
/// conversion to integer. Names and signatures are those of package numeric
/// in lowerCamel case; they are the interface OneStepVerifier calls.
///
/// THIS FILE IS THE INTERFACE SKELETON: the soft-float helper replaces every
/// body (branch softfloat). Nothing may call it until then.
library SoftFloat {
    error Unimplemented();

    // ---- f32 (uint32 bit patterns) ----

    function f32Add(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Sub(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Mul(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Div(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Min(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Max(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Copysign(uint32 a, uint32 b) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Sqrt(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Ceil(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Floor(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Trunc(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Nearest(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Abs(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Neg(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32Eq(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f32Ne(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f32Lt(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f32Gt(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f32Le(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f32Ge(uint32 a, uint32 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    // ---- f64 (uint64 bit patterns) ----

    function f64Add(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Sub(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Mul(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Div(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Min(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Max(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Copysign(uint64 a, uint64 b) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Sqrt(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Ceil(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Floor(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Trunc(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Nearest(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Abs(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Neg(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64Eq(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f64Ne(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f64Lt(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f64Gt(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f64Le(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    function f64Ge(uint64 a, uint64 b) internal pure returns (bool) {
        revert Unimplemented();
    }

    // ---- conversions ----

    function f32DemoteF64(uint64 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f64PromoteF32(uint32 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f32ConvertI32S(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32ConvertI32U(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32ConvertI64S(uint64 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f32ConvertI64U(uint64 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function f64ConvertI32S(uint32 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64ConvertI32U(uint32 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64ConvertI64S(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function f64ConvertI64U(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function i32TruncF32S(uint32 a) internal pure returns (uint8 trap, uint32 r) {
        revert Unimplemented();
    }

    function i32TruncF32U(uint32 a) internal pure returns (uint8 trap, uint32 r) {
        revert Unimplemented();
    }

    function i32TruncF64S(uint64 a) internal pure returns (uint8 trap, uint32 r) {
        revert Unimplemented();
    }

    function i32TruncF64U(uint64 a) internal pure returns (uint8 trap, uint32 r) {
        revert Unimplemented();
    }

    function i64TruncF32S(uint32 a) internal pure returns (uint8 trap, uint64 r) {
        revert Unimplemented();
    }

    function i64TruncF32U(uint32 a) internal pure returns (uint8 trap, uint64 r) {
        revert Unimplemented();
    }

    function i64TruncF64S(uint64 a) internal pure returns (uint8 trap, uint64 r) {
        revert Unimplemented();
    }

    function i64TruncF64U(uint64 a) internal pure returns (uint8 trap, uint64 r) {
        revert Unimplemented();
    }

    function i32TruncSatF32S(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function i32TruncSatF32U(uint32 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function i32TruncSatF64S(uint64 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function i32TruncSatF64U(uint64 a) internal pure returns (uint32) {
        revert Unimplemented();
    }

    function i64TruncSatF32S(uint32 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function i64TruncSatF32U(uint32 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function i64TruncSatF64S(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }

    function i64TruncSatF64U(uint64 a) internal pure returns (uint64) {
        revert Unimplemented();
    }
}
