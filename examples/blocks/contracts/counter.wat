;; counter.wat: one u64 counter (little-endian) under storage key "count".
;; Entries (all [] -> []):
;;   increment  no input          count += 1, returns the new count (8 bytes)
;;   add        input: u64 LE n   count += n, returns the new count; abort 2 on overflow
;;   get        no input          returns the count
;;   reset      no input          deletes the key (a zero-length write)
;; Abort codes: 1 bad input length, 2 overflow.
(module
  (import "referee" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "referee" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "referee" "input_size" (func $input_size (result i32)))
  (import "referee" "input_copy" (func $input_copy (param i32 i32 i32)))
  (import "referee" "return_data" (func $return_data (param i32 i32)))
  (import "referee" "abort" (func $abort (param i32)))
  (memory (export "memory") 1)
  ;; 0..5: the key "count"; 16..24: value buffer; 32..40: input buffer.
  (data (i32.const 0) "count")

  (func $load (result i64)
    (if (result i64)
        (i32.eq (call $storage_read (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8))
                (i32.const -1))
      (then (i64.const 0))
      (else (i64.load (i32.const 16)))))

  (func $store_and_return (param $v i64)
    (i64.store (i32.const 16) (local.get $v))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 8))
    (call $return_data (i32.const 16) (i32.const 8)))

  (func $expect_input (param $n i32)
    (if (i32.ne (call $input_size) (local.get $n))
      (then (call $abort (i32.const 1)))))

  (func (export "increment")
    (call $expect_input (i32.const 0))
    (call $store_and_return (i64.add (call $load) (i64.const 1))))

  (func (export "add") (local $old i64) (local $new i64)
    (call $expect_input (i32.const 8))
    (call $input_copy (i32.const 32) (i32.const 0) (i32.const 8))
    (local.set $old (call $load))
    (local.set $new (i64.add (local.get $old) (i64.load (i32.const 32))))
    (if (i64.lt_u (local.get $new) (local.get $old))
      (then (call $abort (i32.const 2))))
    (call $store_and_return (local.get $new)))

  (func (export "get")
    (call $expect_input (i32.const 0))
    (i64.store (i32.const 16) (call $load))
    (call $return_data (i32.const 16) (i32.const 8)))

  (func (export "reset")
    (call $expect_input (i32.const 0))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 16) (i32.const 0))))
