// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VM, Machine, NotProvable} from "./Machine.sol";
import {IntOps} from "./IntOps.sol";
import {SoftFloat} from "../SoftFloat.sol";

/// @title FloatOps: float arithmetic, comparisons and conversions through
/// SoftFloat (dispute/verify_float.go), split by operand width so that each
/// prover stays under the EIP-170 code size limit
library FloatOps {
    using Machine for VM;

    function b2u(bool x) private pure returns (uint256) {
        return x ? 1 : 0;
    }

    /// @notice Whether op k is one of the f32 group: it reads an f32 (or
    /// produces one from an integer).
    function isF32(uint256 k) internal pure returns (bool) {
        return (k >= 0x5b && k <= 0x60) || (k >= 0x8d && k <= 0x97) || k == 0xa8 || k == 0xa9 || k == 0xae
            || k == 0xaf || (k >= 0xb2 && k <= 0xb5) || k == 0xbb || k == 0xfc00 || k == 0xfc01 || k == 0xfc04
            || k == 0xfc05;
    }

    /// @notice Whether op k is one of the f64 group.
    function isF64(uint256 k) internal pure returns (bool) {
        return (k >= 0x61 && k <= 0x66) || (k >= 0x9b && k <= 0xa5) || k == 0xaa || k == 0xab || k == 0xb0
            || k == 0xb1 || (k >= 0xb6 && k <= 0xba) || k == 0xfc02 || k == 0xfc03 || k == 0xfc06 || k == 0xfc07;
    }

    function exec32(VM memory v) internal pure {
        (uint256 a, uint256 b) = IntOps.operands(v);
        if (!isF32(v.kind)) revert NotProvable("not an f32 op");
        (uint256 r, uint256 t) = f32Op(v.kind, uint32(a), uint32(b), uint64(a));
        IntOps.result(v, r, t);
    }

    function exec64(VM memory v) internal pure {
        (uint256 a, uint256 b) = IntOps.operands(v);
        if (!isF64(v.kind)) revert NotProvable("not an f64 op");
        (uint256 r, uint256 t) = f64Op(v.kind, uint64(a), uint64(b), uint32(a));
        IntOps.result(v, r, t);
    }

    /// @notice Ops on f32 operands, and conversions of integers to f32 (a64:
    /// the operand as an i64).
    function f32Op(uint256 k, uint32 x, uint32 y, uint64 a64) internal pure returns (uint256 r, uint256 t) {
        // ---- comparisons: push i32 ----
        if (k == 0x5b) return (b2u(SoftFloat.f32Eq(x, y)), 0);
        if (k == 0x5c) return (b2u(SoftFloat.f32Ne(x, y)), 0);
        if (k == 0x5d) return (b2u(SoftFloat.f32Lt(x, y)), 0);
        if (k == 0x5e) return (b2u(SoftFloat.f32Gt(x, y)), 0);
        if (k == 0x5f) return (b2u(SoftFloat.f32Le(x, y)), 0);
        if (k == 0x60) return (b2u(SoftFloat.f32Ge(x, y)), 0);
        // ---- arithmetic ----
        if (k == 0x8d) return (SoftFloat.f32Ceil(x), 0);
        if (k == 0x8e) return (SoftFloat.f32Floor(x), 0);
        if (k == 0x8f) return (SoftFloat.f32Trunc(x), 0);
        if (k == 0x90) return (SoftFloat.f32Nearest(x), 0);
        if (k == 0x91) return (SoftFloat.f32Sqrt(x), 0);
        if (k == 0x92) return (SoftFloat.f32Add(x, y), 0);
        if (k == 0x93) return (SoftFloat.f32Sub(x, y), 0);
        if (k == 0x94) return (SoftFloat.f32Mul(x, y), 0);
        if (k == 0x95) return (SoftFloat.f32Div(x, y), 0);
        if (k == 0x96) return (SoftFloat.f32Min(x, y), 0);
        if (k == 0x97) return (SoftFloat.f32Max(x, y), 0);
        // ---- trapping truncations ----
        if (k == 0xa8) {
            (uint8 tr, uint32 v) = SoftFloat.i32TruncF32S(x);
            return (v, tr);
        }
        if (k == 0xa9) {
            (uint8 tr, uint32 v) = SoftFloat.i32TruncF32U(x);
            return (v, tr);
        }
        if (k == 0xae) {
            (uint8 tr, uint64 v) = SoftFloat.i64TruncF32S(x);
            return (v, tr);
        }
        if (k == 0xaf) {
            (uint8 tr, uint64 v) = SoftFloat.i64TruncF32U(x);
            return (v, tr);
        }
        // ---- conversions ----
        if (k == 0xb2) return (SoftFloat.f32ConvertI32S(x), 0);
        if (k == 0xb3) return (SoftFloat.f32ConvertI32U(x), 0);
        if (k == 0xb4) return (SoftFloat.f32ConvertI64S(a64), 0);
        if (k == 0xb5) return (SoftFloat.f32ConvertI64U(a64), 0);
        if (k == 0xbb) return (SoftFloat.f64PromoteF32(x), 0);
        // ---- saturating truncations ----
        if (k == 0xfc00) return (SoftFloat.i32TruncSatF32S(x), 0);
        if (k == 0xfc01) return (SoftFloat.i32TruncSatF32U(x), 0);
        if (k == 0xfc04) return (SoftFloat.i64TruncSatF32S(x), 0);
        if (k == 0xfc05) return (SoftFloat.i64TruncSatF32U(x), 0);
        revert NotProvable("not an f32 op");
    }

    /// @notice Ops on f64 operands, and conversions of integers to f64 (x32:
    /// the operand as an i32).
    function f64Op(uint256 k, uint64 a, uint64 b, uint32 x32) internal pure returns (uint256 r, uint256 t) {
        if (k == 0x61) return (b2u(SoftFloat.f64Eq(a, b)), 0);
        if (k == 0x62) return (b2u(SoftFloat.f64Ne(a, b)), 0);
        if (k == 0x63) return (b2u(SoftFloat.f64Lt(a, b)), 0);
        if (k == 0x64) return (b2u(SoftFloat.f64Gt(a, b)), 0);
        if (k == 0x65) return (b2u(SoftFloat.f64Le(a, b)), 0);
        if (k == 0x66) return (b2u(SoftFloat.f64Ge(a, b)), 0);
        if (k == 0x9b) return (SoftFloat.f64Ceil(a), 0);
        if (k == 0x9c) return (SoftFloat.f64Floor(a), 0);
        if (k == 0x9d) return (SoftFloat.f64Trunc(a), 0);
        if (k == 0x9e) return (SoftFloat.f64Nearest(a), 0);
        if (k == 0x9f) return (SoftFloat.f64Sqrt(a), 0);
        if (k == 0xa0) return (SoftFloat.f64Add(a, b), 0);
        if (k == 0xa1) return (SoftFloat.f64Sub(a, b), 0);
        if (k == 0xa2) return (SoftFloat.f64Mul(a, b), 0);
        if (k == 0xa3) return (SoftFloat.f64Div(a, b), 0);
        if (k == 0xa4) return (SoftFloat.f64Min(a, b), 0);
        if (k == 0xa5) return (SoftFloat.f64Max(a, b), 0);
        if (k == 0xaa) {
            (uint8 tr, uint32 v) = SoftFloat.i32TruncF64S(a);
            return (v, tr);
        }
        if (k == 0xab) {
            (uint8 tr, uint32 v) = SoftFloat.i32TruncF64U(a);
            return (v, tr);
        }
        if (k == 0xb0) {
            (uint8 tr, uint64 v) = SoftFloat.i64TruncF64S(a);
            return (v, tr);
        }
        if (k == 0xb1) {
            (uint8 tr, uint64 v) = SoftFloat.i64TruncF64U(a);
            return (v, tr);
        }
        if (k == 0xb6) return (SoftFloat.f32DemoteF64(a), 0);
        if (k == 0xb7) return (SoftFloat.f64ConvertI32S(x32), 0);
        if (k == 0xb8) return (SoftFloat.f64ConvertI32U(x32), 0);
        if (k == 0xb9) return (SoftFloat.f64ConvertI64S(a), 0);
        if (k == 0xba) return (SoftFloat.f64ConvertI64U(a), 0);
        if (k == 0xfc02) return (SoftFloat.i32TruncSatF64S(a), 0);
        if (k == 0xfc03) return (SoftFloat.i32TruncSatF64U(a), 0);
        if (k == 0xfc06) return (SoftFloat.i64TruncSatF64S(a), 0);
        if (k == 0xfc07) return (SoftFloat.i64TruncSatF64U(a), 0);
        revert NotProvable("not an f64 op");
    }
}
