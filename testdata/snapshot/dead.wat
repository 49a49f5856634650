;; A function with dead code after a branch, for the test that Restore
;; refuses a frame resting on an unreachable op (op 3, the i32.add, would pop
;; two values the stack does not have). Rebuild: wat2wasm dead.wat -o dead.wasm
(module
  (func (export "f") (param i32) (result i32)
    (block (result i32)
      (local.get 0)
      (br 0)
      (i32.add))))
