;; F2: a passive element segment of externrefs keeps its references until
;; elem.drop, so table.init from it within bounds must succeed (here: two
;; nulls into a table of 2). wazero v1.12.0 fills element instances only for
;; funcref segments (ModuleInstance.buildElementInstances), so the segment
;; looks empty and table.init traps with "invalid table access".
(module
  (table 2 externref)
  (elem externref (ref.null extern) (ref.null extern))
  (func (export "init") (result i32)
    (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 2))
    (i32.const 1)))
