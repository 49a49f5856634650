;; memory.grow and bulk-memory operations for meter's dynamic charges.
(module
  (memory 1)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32)
    local.get 0
    memory.grow)
  (func (export "fill") (param i32)
    i32.const 0
    i32.const 7
    local.get 0
    memory.fill)
  (func (export "copy") (param i32)
    i32.const 0
    i32.const 16
    local.get 0
    memory.copy)
  (func (export "table_grow") (param i32) (result i32)
    ref.null func
    local.get 0
    table.grow 0)
)
