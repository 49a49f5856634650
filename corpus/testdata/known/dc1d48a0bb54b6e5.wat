(module
  (type (;0;) (func (param funcref) (result externref i32)))
  (type (;1;) (func (param externref) (result f64)))
  (func (;0;) (type 0) (param funcref) (result externref i32)
    ref.null extern
    loop (param externref) (result f64)  ;; label = @1
      global.get 0
      i32.eqz
      if  ;; label = @2
        unreachable
      end
      i32.const 0
      global.set 0
      i32.const 0
      i32.const 0
      i32.const 1
      table.init 0
      br 0 (;@1;)
    end
    ref.null extern
    i32.const 0
    br 0 (;@0;))
  (table (;0;) 25 40 externref)
  (global (;0;) (mut i32) (i32.const 1000))
  (export "f0" (func 0))
  (elem (;0;) externref (ref.null extern) (ref.null extern) (ref.null extern) (ref.null extern) (ref.null extern)))
