;; An active element segment that does not fit its table: instantiation
;; must trap ("out of bounds table access") and leave the module
;; uninstantiated. wazero v1.12.0 skips the segment and instantiates the
;; module. The module has no exports: `referee diff --instantiate`.
(module
  (table 1 funcref)
  (func)
  (elem (i32.const 1) func 0))
