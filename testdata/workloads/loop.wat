;; loop: an i64 counting loop.
;; run(n) = 0 + 1 + ... + (n-1) = n(n-1)/2 mod 2^64, summed one by one.
(module
  (func (export "run") (param $n i64) (result i64)
    (local $i i64)
    (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc)))
