// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VM, Machine, NotProvable} from "./Machine.sol";
import {SimdOps} from "./SimdOps.sol";
import {SoftFloat} from "../SoftFloat.sol";

/// @title SimdFloat: the vector instructions with float lanes, lane by lane
/// through SoftFloat (numeric/simd.go: each lane is the scalar op, so the
/// NaN rule is the scalar one), split by lane width as FloatOps is
library SimdFloat {
    using Machine for VM;

    uint256 internal constant M32 = 0xffffffff;
    uint256 internal constant M64 = 0xffffffffffffffff;

    function l32(uint256 x, uint256 i) private pure returns (uint32) {
        return uint32(x >> (32 * i));
    }

    function l64(uint256 x, uint256 i) private pure returns (uint64) {
        return uint64(x >> (64 * i));
    }

    function unary32(uint256 s) private pure returns (bool) {
        return s == 0x5f || (s >= 0x67 && s <= 0x6a) || s == 0xe0 || s == 0xe1 || s == 0xe3 || s >= 0xf8;
    }

    /// @notice The instructions reading f32 lanes (and the i32 ones that
    /// convert to f32).
    function exec32(VM memory v) internal pure {
        if (!SimdOps.isF32(v.kind)) revert NotProvable("not an f32x4 instruction");
        uint256 s = v.kind & 0xff;
        uint256 r;
        if (unary32(s)) {
            uint256 a = SimdOps.pop128(v);
            if (s == 0x5f) {
                r = uint256(SoftFloat.f64PromoteF32(l32(a, 0))) | (uint256(SoftFloat.f64PromoteF32(l32(a, 1))) << 64);
            } else {
                for (uint256 i = 0; i < 4; i++) r |= uint256(un32(s, l32(a, i))) << (32 * i);
            }
        } else {
            uint256 b = SimdOps.pop128(v);
            uint256 a = SimdOps.pop128(v);
            for (uint256 i = 0; i < 4; i++) r |= uint256(bin32(s, l32(a, i), l32(b, i))) << (32 * i);
        }
        SimdOps.push128(v, r);
        v.next();
    }

    function un32(uint256 s, uint32 x) private pure returns (uint32) {
        if (s == 0x67) return SoftFloat.f32Ceil(x);
        if (s == 0x68) return SoftFloat.f32Floor(x);
        if (s == 0x69) return SoftFloat.f32Trunc(x);
        if (s == 0x6a) return SoftFloat.f32Nearest(x);
        if (s == 0xe0) return SoftFloat.f32Abs(x);
        if (s == 0xe1) return SoftFloat.f32Neg(x);
        if (s == 0xe3) return SoftFloat.f32Sqrt(x);
        if (s == 0xf8) return SoftFloat.i32TruncSatF32S(x);
        if (s == 0xf9) return SoftFloat.i32TruncSatF32U(x);
        if (s == 0xfa) return SoftFloat.f32ConvertI32S(x);
        return SoftFloat.f32ConvertI32U(x);
    }

    function bin32(uint256 s, uint32 x, uint32 y) private pure returns (uint32) {
        if (s >= 0x41 && s <= 0x46) {
            bool c;
            if (s == 0x41) c = SoftFloat.f32Eq(x, y);
            else if (s == 0x42) c = SoftFloat.f32Ne(x, y);
            else if (s == 0x43) c = SoftFloat.f32Lt(x, y);
            else if (s == 0x44) c = SoftFloat.f32Gt(x, y);
            else if (s == 0x45) c = SoftFloat.f32Le(x, y);
            else c = SoftFloat.f32Ge(x, y);
            return c ? uint32(M32) : 0;
        }
        if (s == 0xe4) return SoftFloat.f32Add(x, y);
        if (s == 0xe5) return SoftFloat.f32Sub(x, y);
        if (s == 0xe6) return SoftFloat.f32Mul(x, y);
        if (s == 0xe7) return SoftFloat.f32Div(x, y);
        if (s == 0xe8) return SoftFloat.f32Min(x, y);
        if (s == 0xe9) return SoftFloat.f32Max(x, y);
        if (s == 0xea) return SoftFloat.f32Lt(y, x) ? y : x; // pmin: bits kept
        return SoftFloat.f32Lt(x, y) ? y : x; // pmax
    }

    function unary64(uint256 s) private pure returns (bool) {
        return s == 0x5e || s == 0x74 || s == 0x75 || s == 0x7a || s == 0x94 || s == 0xec || s == 0xed || s == 0xef
            || s >= 0xfc;
    }

    /// @notice The instructions reading f64 lanes, and the conversions of
    /// the two low i32 lanes to f64.
    function exec64(VM memory v) internal pure {
        if (!SimdOps.isF64(v.kind)) revert NotProvable("not an f64x2 instruction");
        uint256 s = v.kind & 0xff;
        uint256 r;
        if (unary64(s)) {
            uint256 a = SimdOps.pop128(v);
            if (s == 0x5e) {
                r = uint256(SoftFloat.f32DemoteF64(l64(a, 0))) | (uint256(SoftFloat.f32DemoteF64(l64(a, 1))) << 32);
            } else if (s == 0xfc || s == 0xfd) {
                for (uint256 i = 0; i < 2; i++) {
                    uint32 t = s == 0xfc ? SoftFloat.i32TruncSatF64S(l64(a, i)) : SoftFloat.i32TruncSatF64U(l64(a, i));
                    r |= uint256(t) << (32 * i);
                }
            } else if (s == 0xfe || s == 0xff) {
                for (uint256 i = 0; i < 2; i++) {
                    uint64 c = s == 0xfe ? SoftFloat.f64ConvertI32S(l32(a, i)) : SoftFloat.f64ConvertI32U(l32(a, i));
                    r |= uint256(c) << (64 * i);
                }
            } else {
                for (uint256 i = 0; i < 2; i++) r |= uint256(un64(s, l64(a, i))) << (64 * i);
            }
        } else {
            uint256 b = SimdOps.pop128(v);
            uint256 a = SimdOps.pop128(v);
            for (uint256 i = 0; i < 2; i++) r |= uint256(bin64(s, l64(a, i), l64(b, i))) << (64 * i);
        }
        SimdOps.push128(v, r);
        v.next();
    }

    function un64(uint256 s, uint64 x) private pure returns (uint64) {
        if (s == 0x74) return SoftFloat.f64Ceil(x);
        if (s == 0x75) return SoftFloat.f64Floor(x);
        if (s == 0x7a) return SoftFloat.f64Trunc(x);
        if (s == 0x94) return SoftFloat.f64Nearest(x);
        if (s == 0xec) return SoftFloat.f64Abs(x);
        if (s == 0xed) return SoftFloat.f64Neg(x);
        return SoftFloat.f64Sqrt(x);
    }

    function bin64(uint256 s, uint64 x, uint64 y) private pure returns (uint64) {
        if (s >= 0x47 && s <= 0x4c) {
            bool c;
            if (s == 0x47) c = SoftFloat.f64Eq(x, y);
            else if (s == 0x48) c = SoftFloat.f64Ne(x, y);
            else if (s == 0x49) c = SoftFloat.f64Lt(x, y);
            else if (s == 0x4a) c = SoftFloat.f64Gt(x, y);
            else if (s == 0x4b) c = SoftFloat.f64Le(x, y);
            else c = SoftFloat.f64Ge(x, y);
            return c ? uint64(M64) : 0;
        }
        if (s == 0xf0) return SoftFloat.f64Add(x, y);
        if (s == 0xf1) return SoftFloat.f64Sub(x, y);
        if (s == 0xf2) return SoftFloat.f64Mul(x, y);
        if (s == 0xf3) return SoftFloat.f64Div(x, y);
        if (s == 0xf4) return SoftFloat.f64Min(x, y);
        if (s == 0xf5) return SoftFloat.f64Max(x, y);
        if (s == 0xf6) return SoftFloat.f64Lt(y, x) ? y : x; // pmin
        return SoftFloat.f64Lt(x, y) ? y : x; // pmax
    }
}
