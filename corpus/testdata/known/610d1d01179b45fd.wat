(module
  (type (;0;) (func (param i32 i64) (result i32)))
  (func (;0;) (type 0) (param i32 i64) (result i32)
    i32.const 0
    i32.const 0
    i32.const 0
    memory.size
    memory.init 0
    i32.const -1
    f32.load offset=26 align=1
    drop)
  (memory (;0;) 2 5)
  (export "f0" (func 0))
  (export "memory" (memory 0))
  (data (;0;) (i32.const 724) "\00\90\02Z\be\09A\ecgU\af$'\f9c-\f4\00\ee\cd\d8\04f\d8\1d\d4\05;\fb|\02\fe\1f\ad\b3"))
