;; Host calls for the host-tape proof tests (dispute/host_proof_test.go).
;; wat2wasm proof_host.wat -o proof_host.wasm
(module
  (type $t (func (param i32) (result i32)))
  ;; get(addr): writes 100 bytes at addr and 8 at 16, in this memory, and
  ;; 4 bytes in spectest's memory; returns addr + 1
  (import "host" "get" (func $get (type $t)))
  ;; fail(): writes 4 bytes at 0, then traps
  (import "host" "fail" (func $fail))
  ;; pair(x): returns x + 1 and 7
  (import "host" "pair" (func $pair (param i64) (result i64 i32)))
  (memory (export "memory") 2)
  (table 2 funcref)
  (elem (i32.const 0) $get)
  (func (export "calls") (result i32) (local $y i32)
    (call $pair (i64.const 5))
    (local.set $y)
    (drop)
    (i32.add
      (call $get (i32.const 65500))
      (call_indirect (type $t) (i32.const 7) (i32.const 0)))
    (i32.add (i32.load (i32.const 65596)))
    (i32.add (local.get $y)))
  (func (export "trap") (result i32)
    (call $fail)
    (i32.const 1))
)
