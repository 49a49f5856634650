(module
  (type (;0;) (func (param f32 i32 i32 i32) (result f64)))
  (func (;0;) (type 0) (param f32 i32 i32 i32) (result f64)
    f64.const 0x0p+0 (;=0;)
    f64.const -0x1.fffffffffffffp+1023 (;=-1.79769e+308;)
    i32.const 0
    i32.const 0
    memory.size
    memory.init 0
    i32.trunc_f64_s
    drop)
  (memory (;0;) 2 2)
  (export "f1" (func 0))
  (data (;0;) (i32.const 412) "\e3@\5c'\ad\13t\c3N\ebw\f1\cd\a0\e2\b4\c2\98"))
