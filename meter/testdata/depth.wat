;; Call-depth tests for meter: recursion to a chosen depth, unbounded
;; recursion, and every way a function with calls can return.
(module
  (type $pair (func (result i32 i64)))
  ;; rec(n) nests n+1 frames of $rec and returns n.
  (func $rec (export "rec") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $rec
      i32.const 1
      i32.add
    end)
  (func $inf (export "inf") call $inf)
  ;; heavy(n) is rec(n) with 1 param + 191 locals: 192 slots, so each frame
  ;; weighs 1 + (192 + its operand height + 8)/32 = 7 depth units (meter.FrameSlots).
  (func $heavy (export "heavy") (param i32) (result i32)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $heavy
      i32.const 1
      i32.add
    end)
  (func $leaf (result i32) i32.const 7)
  ;; Each pathN calls a leaf, then leaves by one route: return, br to
  ;; the body label, br_if to it, br_table to it, or the final end.
  (func (export "path_return") (result i32)
    call $leaf
    drop
    block
      i32.const 10
      return
    end
    i32.const 0)
  (func (export "path_br") (result i32)
    call $leaf
    drop
    block
      i32.const 11
      br 1
    end
    i32.const 0)
  (func (export "path_br_if") (result i32)
    call $leaf
    drop
    i32.const 12
    i32.const 1
    br_if 0
    drop
    i32.const 0)
  (func (export "path_br_table") (param i32) (result i32)
    block (result i32)
      call $leaf
      drop
      i32.const 13
      local.get 0
      br_table 0 1
    end)
  (func (export "path_end") (result i32)
    call $leaf)
  ;; A function with two results: the wrapper block needs a type index.
  (func $two (result i32 i64)
    call $leaf
    i64.const 5)
  (func (export "two") (result i32)
    call $two
    i32.wrap_i64
    i32.add)
)
