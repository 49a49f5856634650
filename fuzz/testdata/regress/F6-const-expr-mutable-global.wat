;; F6: a constant expression may read only an immutable global (Wasm 2.0,
;; "Constant Expressions": global.get x is constant only if x's type is
;; const). Here a data segment's offset reads an imported mutable global, so
;; the module is invalid ("constant expression required"); wasmtime and V8
;; reject it. wazero v1.12.0 accepts and instantiates it, using the global's
;; value at instantiation (8) as the offset. Linked with F6-exporter.wasm as
;; "test": referee diff F6-const-expr-mutable-global.wasm --link
;; test=F6-exporter.wasm --invoke load. The .wasm was written with
;; `wat2wasm --no-check` (wat2wasm validates otherwise).
(module
  (import "test" "g" (global (mut i32)))
  (memory 1)
  (data (global.get 0) "x")
  (func (export "load") (result i32) (i32.load8_u (i32.const 8))))
