(module
  (type (;0;) (func (result externref)))
  (func (;0;) (type 0) (result externref)
    global.get 0
    i32.const 1
    i32.sub
    global.set 0
    global.get 0
    if (result externref)  ;; label = @1
      call 0
    else
      ref.null extern
    end
    i32.const 0
    i32.const 0
    i32.const 1
    memory.init 0
    data.drop 0)
  (memory (;0;) 3 6)
  (global (;0;) (mut i32) (i32.const 1000))
  (export "f2" (func 0))
  (data (;0;) (i32.const 33) "\01\c2"))
