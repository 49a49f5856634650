;; F1: an active data segment is dropped at instantiation (Wasm 2.0,
;; instantiation step "data.drop i" for every active segment), so
;; memory.init from it with n > 0 must trap with "out of bounds memory
;; access". wazero v1.12.0 keeps the bytes (ModuleInstance.applyData stores
;; every segment in DataInstances) and returns 0x61.
(module
  (memory 1)
  (data (i32.const 0) "abc")
  (func (export "init") (result i32)
    (memory.init 0 (i32.const 100) (i32.const 0) (i32.const 1))
    (i32.load8_u (i32.const 100))))
