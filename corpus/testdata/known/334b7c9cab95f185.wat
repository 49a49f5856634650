(module
  (type (;0;) (func (param funcref i32 f32)))
  (func (;0;) (type 0) (param funcref i32 f32)
    i32.const 0
    i32.const 0
    memory.size
    table.init 0)
  (table (;0;) 2 3 externref)
  (memory (;0;) 1 2)
  (export "f1" (func 0))
  (elem (;0;) externref (ref.null extern) (ref.null extern) (ref.null extern) (ref.null extern) (ref.null extern) (ref.null extern)))
