;; traps.wat: one entry per way a transaction can fail, and one that succeeds.
;; Every failing entry first writes storage key "dirty" and logs, to show that
;; a failed transaction keeps neither.
;; Entries (all [] -> []):
;;   ok           stores "ok" -> input, returns the input (up to 256 bytes)
;;   div          input: a, b (u32 LE each); writes "dirty", returns a / b
;;                (unsigned) and deletes "dirty" again; traps "integer divide
;;                by zero" when b = 0, so that "dirty" is dropped with the tx
;;   unreachable  traps "unreachable"
;;   oob_load     loads 4 bytes at 0xfffffff0: traps "out of bounds memory access"
;;   host_oob     storage_read with a key pointer past memory: host out-of-bounds
;;   big_log      logs 2000 bytes: host limit (MaxLogSize is 1024)
;;   abort        aborts with code 42 after setting return data "bye"
;;   recurse      calls itself forever: call stack exhausted (or the meter's depth trap)
;;   spin         loops forever: out of gas
;;   grow         grows memory by the u32 LE number of pages in the input and
;;                returns the old size (u32 LE; 0xffffffff when growth fails)
(module
  (import "referee" "storage_read" (func $storage_read (param i32 i32 i32 i32) (result i32)))
  (import "referee" "storage_write" (func $storage_write (param i32 i32 i32 i32)))
  (import "referee" "input_size" (func $input_size (result i32)))
  (import "referee" "input_copy" (func $input_copy (param i32 i32 i32)))
  (import "referee" "return_data" (func $return_data (param i32 i32)))
  (import "referee" "log" (func $log (param i32 i32)))
  (import "referee" "abort" (func $abort (param i32)))
  (memory (export "memory") 1)
  ;; 0..5 "dirty", 8..10 "ok", 16..19 "bye"; 64..: input buffer (256 bytes)
  (data (i32.const 0) "dirty")
  (data (i32.const 8) "ok")
  (data (i32.const 16) "bye")

  (func $dirty
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 5))
    (call $log (i32.const 0) (i32.const 5)))

  ;; $input copies the input (at most 256 bytes, else abort 1) to 64 and
  ;; returns its length.
  (func $input (result i32) (local $n i32)
    (local.set $n (call $input_size))
    (if (i32.gt_u (local.get $n) (i32.const 256))
      (then (call $abort (i32.const 1))))
    (call $input_copy (i32.const 64) (i32.const 0) (local.get $n))
    (local.get $n))

  (func (export "ok") (local $n i32)
    (local.set $n (call $input))
    (call $storage_write (i32.const 8) (i32.const 2) (i32.const 64) (local.get $n))
    (call $return_data (i32.const 64) (local.get $n)))

  (func (export "div")
    (if (i32.ne (call $input) (i32.const 8))
      (then (call $abort (i32.const 1))))
    (call $dirty)
    (i32.store (i32.const 320)
      (i32.div_u (i32.load (i32.const 64)) (i32.load (i32.const 68))))
    (call $storage_write (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 0))
    (call $return_data (i32.const 320) (i32.const 4)))

  (func (export "unreachable")
    (call $dirty)
    unreachable)

  (func (export "oob_load")
    (call $dirty)
    (drop (i32.load (i32.const 0xfffffff0))))

  (func (export "host_oob")
    (call $dirty)
    (drop (call $storage_read (i32.const 0xffff0000) (i32.const 4) (i32.const 0) (i32.const 0))))

  (func (export "big_log")
    (call $dirty)
    (call $log (i32.const 0) (i32.const 2000)))

  (func (export "abort")
    (call $dirty)
    (call $return_data (i32.const 16) (i32.const 3))
    (call $abort (i32.const 42)))

  (func $recurse (param $d i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get $d) (i32.const 1))) (i32.const 1)))

  (func (export "recurse")
    (call $dirty)
    (drop (call $recurse (i32.const 0))))

  (func (export "spin") (local $i i32)
    (call $dirty)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))

  (func (export "grow")
    (if (i32.ne (call $input) (i32.const 4))
      (then (call $abort (i32.const 1))))
    (i32.store (i32.const 320) (memory.grow (i32.load (i32.const 64))))
    (call $return_data (i32.const 320) (i32.const 4))))
