;; Golden-test module: the start function traps, so instantiation fails
;; with "unreachable" before any export can run.
(module
  (func $boom unreachable)
  (start $boom)
  (func (export "f") (result i32) i32.const 1))
