;; No exports: the start function writes an unexported global and memory,
;; which referee diff --instantiate compares on every engine.
(module
  (memory 1)
  (global $g (mut i64) (i64.const 0))
  (table 3 funcref)
  (elem (i32.const 1) func $start)
  (func $start
    (global.set $g (i64.const 0x1234567890))
    (i32.store (i32.const 8) (i32.const 42)))
  (start $start))
