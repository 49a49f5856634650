;; Control-flow shapes for the step-counter test: every way an instruction
;; can be skipped or repeated (docs/step.md), and traps.
(module
  (type $ii (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 7))
  (table 2 funcref)
  (elem (i32.const 0) $sq $dbl)
  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func $dbl (type $ii) (i32.add (local.get 0) (local.get 0)))
  (func $early (param i32) (result i32)
    (block $b (result i32)
      (i32.const 5)
      (br_if $b (local.get 0))
      (drop)
      (return (i32.const 9))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      ;; if with else, both ways
      (if (i32.and (local.get $i) (i32.const 1))
        (then (local.set $acc (i32.add (local.get $acc) (i32.const 3))))
        (else (local.set $acc (i32.xor (local.get $acc) (i32.const 5)))))
      ;; if without else, false half the time
      (if (i32.and (local.get $i) (i32.const 2))
        (then (global.set $g (i32.add (global.get $g) (local.get $i)))))
      ;; br_table out of nested blocks
      (block $a (block $b (block $c
        (br_table $a $b $c (i32.rem_u (local.get $i) (i32.const 3))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 1))))
        (local.set $acc (i32.add (local.get $acc) (i32.const 2))))
      ;; direct and indirect calls, an early return
      (local.set $acc (i32.add (local.get $acc)
        (call_indirect (type $ii) (local.get $i) (i32.and (local.get $i) (i32.const 1)))))
      (local.set $acc (i32.add (local.get $acc) (call $early (i32.and (local.get $i) (i32.const 4)))))
      (i32.store (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2)) (local.get $acc))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i32.add (local.get $acc) (global.get $g)))
  (func (export "trap") (param $n i32) (result i32)
    (i32.div_u (i32.const 100) (i32.sub (local.get $n) (i32.const 3)))
    (i32.add (call $sq (local.get $n)))
    (drop)
    (i32.div_u (i32.const 1) (i32.sub (local.get $n) (local.get $n)))))
