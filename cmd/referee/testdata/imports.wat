;; Golden-test module: imports from the spectest host module (which
;; "referee run" registers) and, with link.wasm, from a module nobody
;; provides.
(module
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (func (export "g") (result i32)
    global.get $g
    call $print
    global.get $g))
