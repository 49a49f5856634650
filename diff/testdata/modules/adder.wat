;; Linked by import.wat as "math" (referee diff import.wasm --link math=adder.wasm).
(module
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.add (local.get 0) (local.get 1))))
