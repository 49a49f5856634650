// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SoftFloatCore: IEEE-754 arithmetic on one binary format
/// @notice The format-generic arithmetic of SoftFloat (conversions are in
/// SoftFloatConvert). A format is named by two
/// numbers: p, the significand bits counting the hidden one (24 for binary32,
/// 53 for binary64), and w, the width (32, 64). Values travel as their bit
/// patterns in a uint256 (the high bits zero). Every function here returns
/// the positive canonical NaN (quiet bit only) when its result is a NaN,
/// and rounds to nearest, ties to even.
///
/// How: a finite operand is decoded into an integer significand m and a
/// biased exponent (subnormals get exponent 1 and no hidden bit, so m·2^(e -
/// bias - (p-1)) is the value in both cases). Each operation computes its
/// exact result, or an integer with a sticky low bit that rounds the same
/// way, as m·2^e with m < 2^256, and `round` turns that into bits: one
/// rounding, in one place, covering subnormal results and overflow to
/// infinity. The EVM's 256-bit words hold every such m (a 53x53-bit product
/// is 106 bits; the widest is divAny's dividend, 3p+2 = 161 bits), so no
/// double-word arithmetic is needed. add, mul, div and sqrt have fast paths
/// on top of that (see "arithmetic" below).
library SoftFloatCore {
    // ---- format constants, from (p, w) ----

    function bias(uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            return (1 << (w - p - 1)) - 1;
        }
    }

    /// The bits of +infinity (exponent all ones, fraction zero).
    function inf(uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            return ((1 << (w - p)) - 1) << (p - 1);
        }
    }

    /// The positive canonical NaN: infinity's bits plus the quiet bit.
    function nan(uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            return inf(p, w) | (1 << (p - 2));
        }
    }

    // ---- bit length and rounding ----

    /// The number of bits of x (0 for 0): a binary search over halves down
    /// to a nibble, then a 16-entry table packed in one constant.
    function bitLength(uint256 x) internal pure returns (uint256 n) {
        unchecked {
            if (x >> 128 != 0) {
                x >>= 128;
                n = 128;
            }
            if (x >> 64 != 0) {
                x >>= 64;
                n += 64;
            }
            if (x >> 32 != 0) {
                x >>= 32;
                n += 32;
            }
            if (x >> 16 != 0) {
                x >>= 16;
                n += 16;
            }
            if (x >> 8 != 0) {
                x >>= 8;
                n += 8;
            }
            if (x >> 4 != 0) {
                x >>= 4;
                n += 4;
            }
            // bitLength(x) for x < 16, four bits per entry.
            n += (0x4444444433332210 >> (x << 2)) & 0xf;
        }
    }

    /// Rounds m·2^e (m > 0) to the nearest value of the format, ties to
    /// even, and returns its bits without a sign: a subnormal or zero when
    /// the value is that small, +infinity when it overflows.
    function round(uint256 m, int256 e, uint256 p, uint256 w) internal pure returns (uint256) {
        return roundN(m, bitLength(m), e, p, w);
    }

    /// round with n = bitLength(m) already known.
    function roundN(uint256 m, uint256 n, int256 e, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            int256 b = int256(bias(p, w));
            // Keep p bits, or fewer when the value is below the smallest
            // normal: the result's quantum is then 2^(2 - bias - p).
            int256 shift = int256(n) - int256(p);
            int256 sub = 2 - b - int256(p) - e;
            if (sub > shift) shift = sub;
            uint256 q;
            if (shift <= 0) {
                q = m << uint256(-shift);
            } else {
                // Below half the smallest subnormal: rounds to zero.
                if (shift > int256(n)) return 0;
                uint256 s = uint256(shift);
                q = m >> s;
                // Round up when the rest exceeds half, or equals it and q
                // is odd: rest + (q & 1) > half in integers.
                if ((m & ((1 << s) - 1)) + (q & 1) > (1 << (s - 1))) q += 1;
            }
            // q < 2^p is the significand with its hidden bit (or a
            // subnormal's, then k = 0). Adding q to k << (p-1), where k is
            // the biased exponent minus one, sets the exponent field; a
            // carry out of rounding (q = 2^p, or 2^(p-1) from a subnormal)
            // moves into the exponent by itself. k >= 0 because shift >= sub.
            uint256 k = uint256(e + shift + int256(p) - 2 + b);
            uint256 bits = (k << (p - 1)) + q;
            uint256 infBits = inf(p, w);
            return bits >= infBits ? infBits : bits;
        }
    }

    /// Splits finite bits without their sign into the integer significand
    /// and the biased exponent, subnormals (and zero) at exponent 1.
    function decode(uint256 abs, uint256 p) internal pure returns (uint256 m, uint256 e) {
        unchecked {
            uint256 fb = p - 1;
            e = abs >> fb;
            m = abs & ((1 << fb) - 1);
            if (e == 0) e = 1;
            else m |= 1 << fb;
        }
    }

    // ---- arithmetic ----
    //
    // add, mul and div each start with a fast path for the common case:
    // both operands normal and the result normal before rounding. Its bit
    // length is known from the operands, so it rounds in one expression,
    // (m + half - 1 + lsb) >> s, and adds the rounded significand to the
    // exponent field, where a carry (to 2.0, or from the largest finite
    // value to infinity) lands by itself. Every other case takes the
    // general code (addAny, mulAny, divAny, round), which is correct for
    // all inputs on its own. The optimiser specialises these functions for
    // the literal p and w of each caller, so the fast paths run on
    // constants.

    /// Rounds m (n bits, n > s >= 1) to nearest-even at bit s and adds it to
    /// the exponent field k << (p-1).
    function roundFast(uint256 m, uint256 s, uint256 k, uint256 p) private pure returns (uint256) {
        unchecked {
            return (k << (p - 1)) + ((m + (1 << (s - 1)) - 1 + ((m >> s) & 1)) >> s);
        }
    }

    function add(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 absA = a & (signBit - 1);
            uint256 absB = b & (signBit - 1);
            // Order by magnitude: then a's exponent is at least b's, the
            // difference of significands is never negative, and a nonzero
            // result has a's sign.
            if (absA < absB) (a, b, absA, absB) = (b, a, absB, absA);
            uint256 fb = p - 1;
            uint256 ea = absA >> fb;
            uint256 eb = absB >> fb;
            uint256 emax = (1 << (w - p)) - 1;
            // Special (NaN, inf) or subnormal or zero: ea == emax or eb == 0.
            if (eb * (emax - ea) == 0) return addAny(a, b, p, w);
            uint256 hidden = 1 << fb;
            uint256 ma = (absA & (hidden - 1)) | hidden;
            uint256 mb = (absB & (hidden - 1)) | hidden;
            uint256 d = ea - eb;
            if (d > p + 3) {
                d = p + 3;
                mb = 1;
            }
            // m has n bits: p+d or p+d+1 for a sum, p+d-1 or p+d for a
            // difference when d >= 2 (so n > p); a difference with d <= 1
            // may cancel any number of bits and goes to round.
            uint256 m;
            uint256 n;
            if ((a ^ b) & signBit == 0) {
                m = (ma << d) + mb;
                n = p + d + (m >> (p + d));
            } else if (d > 1) {
                m = (ma << d) - mb;
                n = p + d - 1 + (m >> (p + d - 1));
            } else {
                m = (ma << d) - mb;
                // An exact zero from opposite signs is +0 in this rounding mode.
                if (m == 0) return 0;
                return (a & signBit) | round(m, int256(ea - d) - int256(bias(p, w) + fb), p, w);
            }
            // The biased exponent of the result before rounding, >= 1.
            uint256 e = ea - d + n - p;
            if (e < emax) return (a & signBit) | roundFast(m, n - p, e - 1, p);
            return (a & signBit) | inf(p, w);
        }
    }

    /// add for any operands: NaN, infinities, zeros, subnormals.
    function addAny(uint256 a, uint256 b, uint256 p, uint256 w) private pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 absA = a & (signBit - 1);
            uint256 absB = b & (signBit - 1);
            uint256 infBits = inf(p, w);
            if (absA > infBits || absB > infBits) return nan(p, w);
            if (absA < absB) (a, b, absA, absB) = (b, a, absB, absA);
            if (absA == infBits) {
                // inf + -inf is NaN; inf + anything else is that inf.
                return absB == infBits && a != b ? nan(p, w) : a;
            }
            if (absB == 0) {
                // x + ±0 = x; ±0 + ±0 is -0 only when both are -0.
                return absA == 0 ? a & b : a;
            }
            (uint256 ma, uint256 ea) = decode(absA, p);
            (uint256 mb, uint256 eb) = decode(absB, p);
            uint256 d = ea - eb;
            // Past p+3 places b is below a sixteenth of a's ulp (a is normal
            // since d > 0) and any such b rounds alike: replace it by the
            // smallest one at p+3 places, a sticky bit.
            if (d > p + 3) {
                d = p + 3;
                mb = 1;
            }
            uint256 m = (a ^ b) & signBit == 0 ? (ma << d) + mb : (ma << d) - mb;
            // An exact zero from opposite signs is +0 in this rounding mode.
            if (m == 0) return 0;
            // m counts units of b's quantum, or of the sticky bit's.
            return (a & signBit) | round(m, int256(ea - d) - int256(bias(p, w) + p - 1), p, w);
        }
    }

    function mul(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 fb = p - 1;
            uint256 emax = (1 << (w - p)) - 1;
            uint256 ea = (a >> fb) & emax;
            uint256 eb = (b >> fb) & emax;
            // Special, subnormal or zero: an exponent 0 or emax.
            if (ea * eb * (emax - ea) * (emax - eb) == 0) return mulAny(a, b, p, w);
            uint256 sign = (a ^ b) & (1 << (w - 1));
            uint256 hidden = 1 << fb;
            uint256 m = ((a & (hidden - 1)) | hidden) * ((b & (hidden - 1)) | hidden);
            // m in [2^(2p-2), 2^2p): 2p-1+hi bits.
            uint256 hi = m >> (2 * p - 1);
            uint256 e = ea + eb + hi - bias(p, w);
            if (e - 1 < emax - 1) return sign | roundFast(m, fb + hi, e - 1, p);
            return sign | roundN(m, 2 * p - 1 + hi, int256(ea + eb) - 2 * int256(bias(p, w) + fb), p, w);
        }
    }

    /// mul for any operands.
    function mulAny(uint256 a, uint256 b, uint256 p, uint256 w) private pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 absA = a & (signBit - 1);
            uint256 absB = b & (signBit - 1);
            uint256 infBits = inf(p, w);
            if (absA > infBits || absB > infBits) return nan(p, w);
            uint256 sign = (a ^ b) & signBit;
            if (absA == infBits || absB == infBits) {
                // inf * 0 is NaN.
                return absA == 0 || absB == 0 ? nan(p, w) : sign | infBits;
            }
            if (absA == 0 || absB == 0) return sign;
            (uint256 ma, uint256 ea) = decode(absA, p);
            (uint256 mb, uint256 eb) = decode(absB, p);
            int256 e = int256(ea + eb) - 2 * int256(bias(p, w) + p - 1);
            return sign | round(ma * mb, e, p, w);
        }
    }

    function div(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 fb = p - 1;
            uint256 emax = (1 << (w - p)) - 1;
            uint256 ea = (a >> fb) & emax;
            uint256 eb = (b >> fb) & emax;
            if (ea * eb * (emax - ea) * (emax - eb) == 0) return divAny(a, b, p, w);
            uint256 sign = (a ^ b) & (1 << (w - 1));
            uint256 hidden = 1 << fb;
            uint256 mb = (b & (hidden - 1)) | hidden;
            uint256 n = ((a & (hidden - 1)) | hidden) << (p + 2);
            // ma/mb is in (1/2, 2), so q is in (2^(p+1), 2^(p+3)): p+2+hi
            // bits, at least two below the rounding bit, so a nonzero
            // remainder can be ORed into the lowest as a sticky bit
            // ((r + mb - 1) / mb is 1 exactly when r > 0).
            uint256 q = n / mb;
            q |= (n - q * mb + mb - 1) / mb;
            uint256 hi = q >> (p + 2);
            uint256 e = ea + bias(p, w) + hi - 1 - eb;
            if (e - 1 < emax - 1) return sign | roundFast(q, 2 + hi, e - 1, p);
            return sign | roundN(q, p + 2 + hi, int256(ea) - int256(eb) - int256(p + 2), p, w);
        }
    }

    /// div for any operands.
    function divAny(uint256 a, uint256 b, uint256 p, uint256 w) private pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 absA = a & (signBit - 1);
            uint256 absB = b & (signBit - 1);
            uint256 infBits = inf(p, w);
            if (absA > infBits || absB > infBits) return nan(p, w);
            uint256 sign = (a ^ b) & signBit;
            if (absA == infBits) return absB == infBits ? nan(p, w) : sign | infBits;
            if (absB == infBits) return sign;
            if (absB == 0) return absA == 0 ? nan(p, w) : sign | infBits;
            if (absA == 0) return sign;
            (uint256 ma, uint256 ea) = decode(absA, p);
            (uint256 mb, uint256 eb) = decode(absB, p);
            // Shift the dividend by s = 2p+2 so that the quotient has at
            // least p+2 bits even for a one-bit subnormal dividend; the
            // remainder becomes a sticky low bit below the rounding bit.
            uint256 s = 2 * p + 2;
            uint256 n = ma << s;
            uint256 q = n / mb;
            uint256 m = (q << 1) | (n % mb == 0 ? 0 : 1);
            return sign | round(m, int256(ea) - int256(eb) - int256(s) - 1, p, w);
        }
    }

    function sqrt(uint256 a, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 fb = p - 1;
            uint256 hidden = 1 << fb;
            // Positive, normal and finite in one test (a - hidden wraps for
            // zero and subnormals; a negative a is above inf).
            if (a - hidden >= inf(p, w) - hidden) return sqrtAny(a, p, w);
            uint256 ea = a >> fb;
            // M = m·2^s with s = p+3 or p+4 (the one that makes the exponent
            // e - s even: with an odd bias, that is when ea is odd) lies in
            // [2^(2p+2), 2^(2p+4)).
            uint256 s = p + 4 - (ea & 1);
            uint256 mm = ((a & (hidden - 1)) | hidden) << s;
            uint256 r = isqrt(mm, p);
            // sqrt(a) = r·2^((ea - bias - fb - s)/2) with r of p+2 bits. The
            // field k of roundFast (biased exponent minus one, as in roundN)
            // is that exponent + 2 + p - 2 + bias = (ea + bias + p + 1 - s)/2,
            // an even numerator that is never negative. An inexact root ORs
            // a sticky bit into r's lowest bit, below the rounding bit:
            // (d + 2^(p+3) - 1) >> (p+3) is 1 exactly when d = M - r²
            // (< 2r + 1 < 2^(p+3)) is nonzero.
            uint256 k = (ea + bias(p, w) + p + 1 - s) >> 1;
            uint256 sticky = (mm - r * r + (1 << (p + 3)) - 1) >> (p + 3);
            return roundFast(r | sticky, 2, k, p);
        }
    }

    /// sqrt for any operand: NaN, negative, zero, subnormal, inf.
    function sqrtAny(uint256 a, uint256 p, uint256 w) private pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 abs = a & (signBit - 1);
            uint256 infBits = inf(p, w);
            if (abs > infBits) return nan(p, w);
            if (abs == 0) return a; // sqrt(±0) = ±0
            if (a & signBit != 0) return nan(p, w);
            if (abs == infBits) return a;
            // A positive subnormal: normalise it so that m has exactly p
            // bits, then as in sqrt.
            uint256 m = abs;
            uint256 z = p - bitLength(m);
            m <<= z;
            int256 e = 1 - int256(bias(p, w) + p - 1) - int256(z);
            uint256 s = p + 3;
            if ((uint256(e) ^ s) & 1 != 0) s += 1;
            uint256 mm = m << s;
            uint256 r = isqrt(mm, p);
            uint256 sticky = (mm - r * r + (1 << (p + 3)) - 1) >> (p + 3);
            uint256 k = uint256((e - int256(s)) / 2 + int256(bias(p, w) + p));
            return roundFast(r | sticky, 2, k, p);
        }
    }

    /// floor(sqrt(x)) for x in [2^(2p+2), 2^(2p+4)), by Newton's method
    /// from a two-interval guess: 2^(p+1.25) or 2^(p+1.75) (ratios 1.19 and
    /// 1.68 in 16-bit fixed point), within 2^±0.25 of the root. The relative
    /// error e of an iterate then falls as e²/(2(1+e)): 0.0151, 1.12e-4,
    /// 6.23e-9, 1.94e-17. Integer steps never go below the floor of the
    /// root and only make it smaller, so once the error is under one unit of
    /// the (p+2)-bit root (2^-26 for p = 24 after three steps, 2^-55 for p =
    /// 53 after four) the iterate is the floor or one above, and the last
    /// line fixes that: r*r - x - 1 wraps to a set top bit when r*r <= x.
    function isqrt(uint256 x, uint256 p) internal pure returns (uint256 r) {
        unchecked {
            r = (77936 + (x >> (2 * p + 3)) * (110218 - 77936)) << (p - 15);
            r = (r + x / r) >> 1;
            r = (r + x / r) >> 1;
            r = (r + x / r) >> 1;
            if (p > 24) r = (r + x / r) >> 1;
            r = r - 1 + ((r * r - x - 1) >> 255);
        }
    }

    // ---- min, max, comparisons ----

    /// A key whose unsigned order is the float order of non-NaN bits, with
    /// -0 and +0 equal: signBit + |a| for positive a, signBit - |a| for
    /// negative a (no branch: s is the sign, 0 or 1).
    function key(uint256 a, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            uint256 abs = a & (signBit - 1);
            return signBit + abs - (((a >> (w - 1)) * abs) << 1);
        }
    }

    /// 1 if a is a NaN, else 0: abs + (signBit - 1 - inf) reaches signBit
    /// exactly when abs > inf.
    function nanBit(uint256 a, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            uint256 signBit = 1 << (w - 1);
            return ((a & (signBit - 1)) + signBit - 1 - inf(p, w)) >> (w - 1);
        }
    }

    /// key(a), or a value above every key if a or b is a NaN, so that one
    /// comparison with key(b) answers eq, lt and le.
    function keyOrNaN(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (uint256) {
        unchecked {
            return key(a, w) | ((nanBit(a, p, w) | nanBit(b, p, w)) << w);
        }
    }

    /// min (wantMax false) or max: NaN if either is NaN, -0 < +0 (the key
    /// less the sign bit orders -0 just below +0).
    function minMax(uint256 a, uint256 b, uint256 p, uint256 w, bool wantMax) internal pure returns (uint256) {
        unchecked {
            if (nanBit(a, p, w) | nanBit(b, p, w) != 0) return nan(p, w);
            bool aBelow = key(a, w) - (a >> (w - 1)) < key(b, w) - (b >> (w - 1));
            return aBelow != wantMax ? a : b;
        }
    }

    function eq(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (bool) {
        return keyOrNaN(a, b, p, w) == key(b, w);
    }

    function lt(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (bool) {
        return keyOrNaN(a, b, p, w) < key(b, w);
    }

    function le(uint256 a, uint256 b, uint256 p, uint256 w) internal pure returns (bool) {
        return keyOrNaN(a, b, p, w) <= key(b, w);
    }
}
