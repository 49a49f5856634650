;; A SIMD module: v128 in a function type. The reference machine has no
;; v128, so validation must reject it with ErrSIMD (not crash or misreport).
(module
  (func (export "add") (param v128 v128) (result v128)
    local.get 0
    local.get 1
    i32x4.add))
