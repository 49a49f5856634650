;; Imports a function of another module: referee diff import.wasm --link math=adder.wasm --invoke 'twice i32:20'.
(module
  (import "math" "add" (func $add (param i32 i32) (result i32)))
  (global $last (mut i32) (i32.const 0))
  (func (export "twice") (param i32) (result i32)
    (global.set $last (call $add (local.get 0) (local.get 0)))
    (global.get $last)))
