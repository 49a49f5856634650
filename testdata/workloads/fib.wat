;; fib: naive doubly recursive Fibonacci, fib(0) = 0, fib(1) = 1.
;; run(n) = fib(n); fib(27) = 196418, fib(20) = 6765.
(module
  (func $fib (export "run") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib (i32.sub (local.get $n) (i32.const 1)))
          (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
