;; Golden-test module: the active element segment starts past the end of
;; the one-element table, so instantiation traps applying elem[0], before
;; any function runs.
(module
  (table 1 funcref)
  (func $f (export "f") (result i32) i32.const 7)
  (elem (i32.const 5) $f))
