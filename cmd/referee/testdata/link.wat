;; Golden-test module: imports a function no registered module provides.
(module
  (import "env" "missing" (func))
  (func (export "f")))
