;; F4: function 1 names type index 5, which does not exist, so the module is
;; invalid ("unknown type"). wazero v1.12.0's CompileModule does not return
;; an error but PANICS (index out of range in
;; internal/wasm/func_validation.go, validating `call 1` in function 0):
;; it checks each function's type index only when it reaches that
;; function, after validating the bodies before it. referee's wasm.Validate
;; rejects the module. The .wasm was written with wasm.Encode (wat2wasm
;; refuses the unknown type index); this text is `wasm2wat --no-check`.
(module
  (type (;0;) (func))
  (func (;0;) (type 0)
    call 1)
  (func (;1;) (type 5)))
