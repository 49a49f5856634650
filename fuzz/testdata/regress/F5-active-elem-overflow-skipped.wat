;; F5: an active element segment is bounds-checked when it is applied at
;; instantiation (Wasm 2.0, instantiation step 15, table.init): here 1 + 1
;; elements > the table's 1, so instantiation must trap with "out of bounds
;; table access" and leave no instance (the spec's elem.wast
;; assert_uninstantiable cases; wasmtime and V8 trap). wazero v1.12.0 skips
;; the segment and instantiates the module. No exports:
;; referee diff F5-active-elem-overflow-skipped.wasm --instantiate.
(module
  (table 1 funcref)
  (func)
  (elem (i32.const 1) func 0))
