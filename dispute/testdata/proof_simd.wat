;; Vector instructions for the one-step proof tests (dispute/simd_proof_test.go
;; and onchain/verifier): every class of wasm.SIMDClass, v128 locals (one
;; straddling two leaves of the locals tree), a v128 global, v128 through
;; select, drop, blocks, branches, calls and returns, loads and stores that
;; cross a 32-byte chunk, and out-of-bounds lane accesses that trap.
;; Rebuild: wat2wasm proof_simd.wat -o proof_simd.wasm
(module
  (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  (data (i32.const 16) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12\13\14\15\16\17\18\19\1a\1b\1c\1d\1e\1f")

  ;; v128 params and result: a call and a return of two-slot values
  (func $mix (param $a v128) (param $b v128) (result v128)
    (i32x4.add (local.get $a) (local.get $b)))

  ;; returns the v128 its argument selects, through a block and a branch
  (func $pick (param $c i32) (result v128)
    (block $out (result v128)
      (v128.const i64x2 7 8)
      (br_if $out (local.get $c))
      (drop)
      (v128.const f32x4 nan -0 inf 1.5)))

  (func (export "simd") (result i32)
    (local $i i32) (local $j i32) (local $k i32)
    (local $v v128)  ;; slots 3 and 4: two leaves of the locals tree
    (local $w v128)
    ;; locals, straddling and not
    (local.set $v (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (local.set $w (local.tee $v (i8x16.add (local.get $v) (local.get $v))))
    ;; the global
    (global.set $g (i32x4.mul (global.get $g) (local.get $w)))
    ;; memory: a load crossing the chunk at 32, a store, a lane load and store, splats, zero, extend
    (v128.store offset=40 (i32.const 0) (v128.load offset=20 (i32.const 0)))
    (local.set $v (v128.load8_lane 3 (i32.const 33) (local.get $v)))
    (v128.store16_lane 5 (i32.const 62) (local.get $v))
    (local.set $w (v128.load32_splat (i32.const 30)))
    (local.set $w (i16x8.add (local.get $w) (v128.load8x8_s (i32.const 28))))
    (local.set $w (i64x2.add (local.get $w) (v128.load64_zero (i32.const 60))))
    ;; lanes, shuffle, swizzle, splat, bitselect, tests, shifts
    (local.set $v (i8x16.shuffle 0 17 2 19 4 21 6 23 31 30 29 28 27 26 25 24 (local.get $v) (local.get $w)))
    (local.set $v (i8x16.swizzle (local.get $v) (i8x16.splat (i32.const 3))))
    (local.set $v (i32x4.replace_lane 2 (local.get $v) (i32.const -1)))
    (local.set $i (i8x16.extract_lane_s 15 (local.get $w)))
    (local.set $v (v128.bitselect (local.get $v) (local.get $w) (v128.const i64x2 -1 0)))
    (local.set $j (v128.any_true (local.get $v)))
    (local.set $k (i16x8.bitmask (local.get $w)))
    (local.set $v (i32x4.shr_s (local.get $v) (i32.const 33)))
    ;; floats: NaN lanes, min/max, pmin/pmax, rounding, conversions
    (local.set $w (f32x4.add (v128.const f32x4 nan 1 -0 inf) (v128.const f32x4 1 nan 0 -inf)))
    (local.set $w (f64x2.min (local.get $w) (v128.const f64x2 -0 nan)))
    (local.set $w (f32x4.pmax (local.get $w) (f32x4.splat (f32.const 2.5))))
    (local.set $w (f32x4.nearest (f32x4.demote_f64x2_zero (f64x2.promote_low_f32x4 (local.get $w)))))
    (local.set $w (i32x4.trunc_sat_f32x4_s (f32x4.mul (local.get $w) (f32x4.splat (f32.const 3e9)))))
    (local.set $w (f64x2.convert_low_i32x4_u (local.get $w)))
    ;; integer lanes: saturation, narrowing, extension, dot, q15, popcnt
    (local.set $v (i8x16.narrow_i16x8_s (local.get $v) (i16x8.add_sat_s (local.get $v) (v128.const i16x8 32767 -32768 1 -1 0 0 0 0))))
    (local.set $v (i32x4.dot_i16x8_s (local.get $v) (i16x8.q15mulr_sat_s (local.get $v) (local.get $v))))
    (local.set $v (i64x2.extmul_high_i32x4_u (local.get $v) (i16x8.extend_low_i8x16_s (i8x16.popcnt (local.get $v)))))
    ;; select, drop, a call and a block of v128
    (local.set $v (select (local.get $v) (local.get $w) (local.get $i)))
    (drop (call $pick (i32.const 0)))
    (local.set $w (call $mix (local.get $v) (call $pick (i32.const 1))))
    (local.set $v (f64x2.extract_lane 1 (local.get $w)) (drop) (local.get $v))
    ;; the answer folds everything into one i32
    (i32.add (i32.add (local.get $i) (local.get $j))
      (i32.add (local.get $k)
        (i32.add (i32x4.extract_lane 0 (local.get $w))
          (i32x4.extract_lane 3 (i32x4.add (global.get $g) (v128.load (i32.const 40))))))))

  ;; a v128 argument and a v128 result (the call's result is two slots)
  (func (export "vec") (param $a v128) (result v128 i32)
    (i64x2.add (local.get $a) (global.get $g))
    (i32.const 7))

  ;; out of bounds: a v128.load at the end of memory and a lane store past it trap
  (func (export "oob") (param $a i32) (result v128)
    (v128.store32_lane 1 (local.get $a) (v128.const i32x4 1 2 3 4))
    (v128.load (i32.sub (local.get $a) (i32.const 8))))
)
