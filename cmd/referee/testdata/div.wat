;; Golden-test module for cmd/referee: integer division and a start-free,
;; import-free module, so "referee run" needs nothing but the machine.
(module
  ;; div traps with "integer divide by zero" when $b is 0.
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.div_s)
  ;; add returns a+b; a small function for trace tests.
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add)
  ;; swap returns its two arguments swapped (multi-value, mixed floats).
  (func (export "swap") (param f32 f64) (result f64 f32)
    local.get 1
    local.get 0)
  ;; spin loops forever, for --max-steps.
  (func (export "spin")
    (loop $l (br $l)))
  ;; ref passes an externref through.
  (func (export "ref") (param externref) (result externref)
    local.get 0)
  (global (export "g") i32 (i32.const 7)))
