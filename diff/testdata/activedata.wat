;; An active data segment is dropped by instantiation (Wasm 2.0): memory.init
;; of it then traps unless n = 0. wazero v1.12.0 keeps the segment's bytes
;; (a known engine bug the fuzzer finds as globals/globals, trap-vs-ok and
;; trap-kind at memory.init).
(module
  (memory (export "memory") 1)
  (global $g (export "g") (mut i32) (i32.const 0))
  (data (i32.const 0) "\37")
  ;; init(n): g = 1; memory.init 0 to address 16, n bytes; g = 2
  (func (export "init") (param $n i32)
    (global.set $g (i32.const 1))
    (memory.init 0 (i32.const 16) (i32.const 0) (local.get $n))
    (global.set $g (i32.const 2))))
