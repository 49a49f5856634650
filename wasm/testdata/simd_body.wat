;; SIMD instructions inside a body whose signature has no v128: validation
;; must reject the instruction itself with ErrSIMD.
(module
  (func (export "lane") (result i32)
    v128.const i32x4 1 2 3 4
    i32x4.extract_lane 2))
