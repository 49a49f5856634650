;; F3: a typed select's annotation must equal its operand type
;; (select t: [t t i32] -> [t]). Here the operands are f64 and the annotation
;; is f32, so the module is invalid ("type mismatch"). wazero v1.12.0
;; accepts it: its validator (internal/wasm/func_validation.go, typed
;; select) checks only that the annotation is some value type and pushes
;; the operands' type. referee's wasm.Validate rejects it.
(module
  (func (export "f") (result f64)
    (select (result f32) (f64.const 1) (f64.const 2) (i32.const 1))))
