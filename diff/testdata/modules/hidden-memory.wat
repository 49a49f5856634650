;; A memory that is not exported, written by memory.init from an active data
;; segment: the spec drops the segment at instantiation, so memory.init traps
;; and the memory stays as instantiated; wazero v1.12.0 (F1) copies the byte
;; to address 100 and goes on to the load, which traps too. Both calls end
;; alike ("out of bounds memory access"): only the unexported memory tells
;; the engines apart.
(module
  (memory 1)
  (data (i32.const 0) "abc")
  (func (export "init") (result i32)
    (memory.init 0 (i32.const 100) (i32.const 0) (i32.const 1))
    (i32.load (i32.const 65536))))
