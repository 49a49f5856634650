(module
  (type (;0;) (func (param f64 i32)))
  (func (;0;) (type 0) (param f64 i32)
    i32.const 0
    i32.const 0
    i32.const 1
    memory.init 0)
  (memory (;0;) 3 6)
  (export "f3" (func 0))
  (data (;0;) (i32.const 680) "\83\88\9a\98\18h*\f7V\fd"))
