;; bulk.wat: bulk operations of a length given as the argument, for the
;; blocks' bulk cap (meter.Options.MaxBulkBytes, MaxBulkElems): over the cap
;; every engine traps with the receipt trap "limit"; at the cap they run.
(module
  (memory (export "memory") 2)
  (table 9000 funcref)
  (func (export "copy") (param i32)
    (memory.copy (i32.const 0) (i32.const 16) (local.get 0)))
  (func (export "table_copy") (param i32)
    (table.copy (i32.const 0) (i32.const 1) (local.get 0)))
  (func (export "fill") (param i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))
