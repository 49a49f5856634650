(module
  (type (;0;) (func))
  (func (;0;) (type 0)
    i32.const -1
    i32.const 0
    i32.const 0
    memory.size
    table.init 0
    i64.load32_s offset=2
    drop)
  (table (;0;) 10 18 externref)
  (memory (;0;) 1 3)
  (export "f0" (func 0))
  (elem (;0;) externref (ref.null extern) (ref.null extern)))
