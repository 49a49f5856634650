;; Exercises every kind of state a snapshot holds: two memory pages written
;; sparsely (and one zeroed again), a funcref table grown and filled from a
;; passive segment, an externref table, mutable i64/f64 globals, dropped
;; element and data segments, recursion through call and call_indirect, and
;; host calls into the spectest module. Used by trace/snapshot_test.go.
;; Rebuild: wat2wasm state.wat -o state.wasm
(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g0 i32))
  (type $t_ii (func (param i32) (result i32)))
  (memory 1 4)
  (table $t 4 16 funcref)
  (table $ext 2 externref)
  (global $acc (mut i64) (i64.const 0))
  (global $f (mut f64) (f64.const 0))
  (elem $passive func $sq $inc $dbl)
  (elem (table $t) (i32.const 0) func $inc)
  (data $pd "hello, snapshot!")
  (data (i32.const 100) "\01\02\03\04")
  (func $inc (type $t_ii) (i32.add (local.get 0) (i32.const 1)))
  (func $sq (type $t_ii) (i32.mul (local.get 0) (local.get 0)))
  (func $dbl (type $t_ii) (i32.shl (local.get 0) (i32.const 1)))
  ;; rec(n) = 1 if n == 0, else table[n % 3](n) + rec(n - 1)
  (func $rec (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 1))
      (else
        (i32.add
          (call_indirect $t (type $t_ii) (local.get $n) (i32.rem_u (local.get $n) (i32.const 3)))
          (call $rec (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $p i32)
    (table.init $t $passive (i32.const 1) (i32.const 0) (i32.const 3))
    (elem.drop $passive)
    (memory.init $pd (i32.const 4096) (i32.const 0) (i32.const 16))
    (data.drop $pd)
    (drop (memory.grow (i32.const 1)))
    (table.set $ext (i32.const 1) (ref.null extern))
    (drop (table.grow $t (ref.func $sq) (i32.const 2)))
    (loop $l
      (local.set $p (i32.and (i32.mul (local.get $i) (i32.const 40503)) (i32.const 0x1fffc)))
      (i32.store (local.get $p)
        (i32.add (i32.load (local.get $p)) (call $rec (i32.and (local.get $i) (i32.const 7)))))
      (global.set $acc (i64.add (global.get $acc) (i64.extend_i32_u (i32.load (local.get $p)))))
      (global.set $f (f64.add (global.get $f) (f64.convert_i32_s (local.get $i))))
      (call $print (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (memory.fill (i32.const 8192) (i32.const 0) (i32.const 4096))
    (memory.copy (i32.const 200) (i32.const 4096) (i32.const 16))
    (i64.add
      (i64.add (global.get $acc) (i64.extend_i32_u (i32.load8_u (i32.const 203))))
      (i64.add (i64.trunc_f64_u (global.get $f)) (i64.extend_i32_u (global.get $g0)))))
  (func (export "trap") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0))))
