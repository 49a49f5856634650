;; Modules for trace's step-definition and limit tests (see docs/step.md).
(module
  (memory (export "mem") 1 3)
  (global $g (export "g") (mut i32) (i32.const 0))
  (table $t 2 funcref)
  (elem (i32.const 0) $g2 $h)

  ;; docs/step.md example 1: f(1) = 8 in 7 steps, f(0) = 10 in 10 steps.
  (func $f (export "f") (param i32) (result i32)
    (block (result i32)
      (i32.const 7)
      (local.get 0)
      (br_if 0)
      (drop)
      (i32.const 9))
    (i32.const 1)
    (i32.add))

  ;; docs/step.md example 2: h() = 2 in 4 steps.
  (func $g2 (result i32) (i32.const 2))
  (func $h (export "h") (result i32) (call $g2))

  ;; docs/step.md example 3: runs forever.
  (func (export "spin") (loop $l (br $l)))

  ;; if without else, false: jumps past end.
  (func (export "if-false") (result i32)
    (i32.const 0)
    (if (then (nop)))
    (i32.const 3))

  ;; br to the function label returns.
  (func (export "br-func") (result i32)
    (i32.const 5)
    (br 0))

  ;; unbounded recursion, with a few locals.
  (func $rec (export "rec") (param i32) (result i32)
    (local i64 i64)
    (call $rec (i32.add (local.get 0) (i32.const 1))))

  ;; grows memory by n pages, returns the old size or -1.
  (func (export "grow") (param i32) (result i32)
    (memory.grow (local.get 0)))

  ;; a mixed workload: fills memory, sums it through calls, a global and
  ;; call_indirect; used for Step vs Run equivalence.
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "mix") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 4))
                 (i32.mul (local.get $i) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (block $done
      (loop $sum
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (call $add (local.get $s)
                        (i32.load (i32.mul (local.get $i) (i32.const 4)))))
        (global.set $g (i32.add (global.get $g) (call_indirect (result i32) (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sum)))
    (i32.add (local.get $s) (global.get $g)))

  ;; traps: division by zero after some steps.
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))

  ;; nested blocks dispatched by br_table: runs of no-op ops.
  (func (export "nest") (param i32) (result i32)
    (local $acc i32)
    (loop $again
      (block $b3 (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 $b3 (i32.and (local.get 0) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 1))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 10))))
        (nop) (nop)
        (local.set $acc (i32.add (local.get $acc) (i32.const 100))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $again (i32.gt_s (local.get 0) (i32.const 0))))
    (local.get $acc))
)
