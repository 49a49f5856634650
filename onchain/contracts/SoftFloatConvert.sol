// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SoftFloatCore as C} from "./SoftFloatCore.sol";

/// @title SoftFloatConvert: rounding to integral values and conversions
/// @notice The format-generic conversions of SoftFloat, on the same (p, w)
/// format names and bit patterns as SoftFloatCore, whose round() does every
/// rounding conversion once (no double rounding, also for i64 -> f32).
library SoftFloatConvert {
    // ---- rounding to an integral value ----

    uint256 internal constant TRUNC = 0;
    uint256 internal constant FLOOR = 1;
    uint256 internal constant CEIL = 2;
    uint256 internal constant NEAREST = 3;

    /// ceil, floor, trunc or nearest (ties to even) of a, in its format,
    /// by masking the fraction bits of the pattern: adding one unit to the
    /// masked pattern steps the magnitude up by 1, carrying into the
    /// exponent when it reaches a power of two.
    function roundToInt(uint256 a, uint256 p, uint256 w, uint256 mode) internal pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 abs = a & (signBit - 1);
            if (abs > C.inf(p, w)) return C.nan(p, w);
            uint256 fb = p - 1;
            uint256 eb = abs >> fb;
            uint256 b = C.bias(p, w);
            // |a| >= 2^(p-1) (with inf) is integral already.
            if (eb >= b + fb) return a;
            uint256 neg = a & signBit;
            uint256 one = b << fb;
            if (eb < b) {
                // |a| < 1: the result is ±0 or ±1 with a's sign.
                if (abs == 0 || mode == TRUNC) return neg;
                if (mode == FLOOR) return neg != 0 ? neg | one : 0;
                if (mode == CEIL) return neg != 0 ? neg : one;
                // nearest: ±1 only above one half ((bias-1) << fb).
                return abs > (b - 1) << fb ? neg | one : neg;
            }
            // 1 <= |a| < 2^(p-1): the low f bits are the fraction.
            uint256 unit = 1 << (b + fb - eb);
            uint256 frac = a & (unit - 1);
            if (frac == 0) return a;
            uint256 t = a ^ frac;
            if (mode == TRUNC) return t;
            if (mode == FLOOR) return neg != 0 ? t + unit : t;
            if (mode == CEIL) return neg != 0 ? t : t + unit;
            // nearest: up above a half, and at a half when the integer part
            // is odd. Its low bit is the pattern's bit at unit, also for
            // 1 <= |a| < 2, where that bit is the exponent's lowest: bias is
            // odd, like the integer part 1.
            uint256 half = unit >> 1;
            return frac > half || (frac == half && t & unit != 0) ? t + unit : t;
        }
    }

    // ---- conversions ----

    /// Converts bits of format (p, w) to format (p2, w2): demote rounds,
    /// promote is exact; NaN becomes the target's canonical NaN.
    function convertFloat(uint256 a, uint256 p, uint256 w, uint256 p2, uint256 w2) internal pure returns (uint256) {
        unchecked {
            // Fast path: a normal, and the result normal before rounding (its
            // biased exponent e2 in [1, emax2)): shift the significand, or
            // round it as SoftFloatCore's fast paths do.
            uint256 fb = p - 1;
            uint256 emax = (1 << (w - p)) - 1;
            uint256 ea = (a >> fb) & emax;
            uint256 e2 = ea + C.bias(p2, w2) - C.bias(p, w);
            if (ea * (emax - ea) != 0 && e2 - 1 < (1 << (w2 - p2)) - 2) {
                uint256 sign = a >> (w - 1) << (w2 - 1);
                uint256 m = (a & ((1 << fb) - 1)) | (1 << fb);
                if (p2 >= p) return sign | ((e2 - 1) << (p2 - 1)) + (m << (p2 - p));
                uint256 s = p - p2;
                return sign | (((e2 - 1) << (p2 - 1)) + ((m + (1 << (s - 1)) - 1 + ((m >> s) & 1)) >> s));
            }
            return convertAny(a, p, w, p2, w2);
        }
    }

    /// convertFloat for any operand.
    function convertAny(uint256 a, uint256 p, uint256 w, uint256 p2, uint256 w2) private pure returns (uint256) {
        unchecked {
            uint256 abs = a & ((1 << (w - 1)) - 1);
            uint256 infBits = C.inf(p, w);
            if (abs > infBits) return C.nan(p2, w2);
            uint256 sign = a >> (w - 1) << (w2 - 1);
            if (abs == infBits) return sign | C.inf(p2, w2);
            if (abs == 0) return sign;
            (uint256 m, uint256 e) = C.decode(abs, p);
            return sign | C.round(m, int256(e) - int256(C.bias(p, w) + p - 1), p2, w2);
        }
    }

    /// Converts the n-bit integer a (two's complement when signed) to the
    /// format (p, w), rounding once.
    function fromInt(uint256 a, uint256 n, bool signed, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            if (a == 0) return 0;
            if (signed && a >> (n - 1) != 0) return (1 << (w - 1)) | C.round((1 << n) - a, 0, p, w);
            return C.round(a, 0, p, w);
        }
    }

    /// floor(|x|) for the non-NaN bits abs, capped at 2^64 (inf included):
    /// every target range is within [-2^63, 2^64).
    function truncMagnitude(uint256 abs, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 fb = p - 1;
            uint256 eb = abs >> fb;
            uint256 b = C.bias(p, w);
            if (eb < b) return 0;
            uint256 x = eb - b; // |a| in [2^x, 2^(x+1))
            if (x >= 64) return 1 << 64;
            uint256 m = (abs & ((1 << fb) - 1)) | (1 << fb);
            return x >= fb ? m << (x - fb) : m >> (fb - x);
        }
    }

    /// Trapping truncation of a (format p, w) to an n-bit integer, as
    /// (trap, bits): 4 (invalid conversion) for NaN, 3 (integer overflow)
    /// when trunc(a) is outside the target range, 0 otherwise.
    function truncToInt(uint256 a, uint256 p, uint256 w, uint256 n, bool signed)
        internal
        pure
        returns (uint8, uint256)
    {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 abs = a & (signBit - 1);
            if (abs > C.inf(p, w)) return (4, 0);
            uint256 t = truncMagnitude(abs, p, w);
            if (a & signBit != 0) {
                // -0.9 truncates to 0, valid even when unsigned.
                if (signed ? t > 1 << (n - 1) : t != 0) return (3, 0);
                return (0, ((1 << n) - t) & ((1 << n) - 1));
            }
            if (t >> (signed ? n - 1 : n) != 0) return (3, 0);
            return (0, t);
        }
    }

    /// Saturating truncation: NaN gives 0, out-of-range values the nearest
    /// end of the n-bit range.
    function truncSat(uint256 a, uint256 p, uint256 w, uint256 n, bool signed) internal pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 abs = a & (signBit - 1);
            if (abs > C.inf(p, w)) return 0;
            uint256 t = truncMagnitude(abs, p, w);
            if (a & signBit != 0) {
                if (!signed) return 0;
                if (t >= 1 << (n - 1)) return 1 << (n - 1);
                return ((1 << n) - t) & ((1 << n) - 1);
            }
            uint256 max = signed ? (1 << (n - 1)) - 1 : (1 << n) - 1;
            return t > max ? max : t;
        }
    }
}
