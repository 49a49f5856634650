;; NaN-producing float operations whose result bits the spec leaves to the
;; engine. Each export returns the result's bits as an integer, so a host
;; sees them exactly.
(module
  (func (export "f32_div_zero") (result i32)
    f32.const 0 f32.const 0 f32.div i32.reinterpret_f32)
  (func (export "f64_div_zero") (result i64)
    f64.const 0 f64.const 0 f64.div i64.reinterpret_f64)
  ;; A signalling NaN with payload 0x200001 plus 1.0.
  (func (export "f32_payload_add") (result i32)
    i32.const 0x7fa00001 f32.reinterpret_i32 f32.const 1 f32.add i32.reinterpret_f32)
  (func (export "f64_payload_mul") (result i64)
    i64.const 0x7ff4000000000001 f64.reinterpret_i64 f64.const 2 f64.mul i64.reinterpret_f64)
  ;; A negative quiet NaN through sqrt, min and promote.
  (func (export "f32_neg_sqrt") (result i32)
    i32.const 0xffc00123 f32.reinterpret_i32 f32.sqrt i32.reinterpret_f32)
  (func (export "f32_min_payload") (result i32)
    i32.const 0x7fc00042 f32.reinterpret_i32 f32.const 1 f32.min i32.reinterpret_f32)
  (func (export "promote_payload") (result i64)
    i32.const 0x7fa00001 f32.reinterpret_i32 f64.promote_f32 i64.reinterpret_f64)
  ;; Chains: the first result feeds the next arithmetic operation directly
  ;; (its own canonicalization is left out; the last one's is not).
  (func (export "chain_div_add") (result i32)
    f32.const 1 f32.const 0 f32.const 0 f32.div f32.add i32.reinterpret_f32)
  (func (export "chain_div_demote") (result i32)
    f64.const 0 f64.const 0 f64.div f32.demote_f64 i32.reinterpret_f32)
  (func (export "chain_sqrt_promote") (result i64)
    f32.const -1 f32.sqrt f64.promote_f32 i64.reinterpret_f64)
  ;; A result carried past other instructions to its consumer.
  (func (export "carry_add") (result i32)
    f32.const 0 f32.const 0 f32.div f32.const 1 f32.add i32.reinterpret_f32)
  (func (export "carry_local") (result i32) (local f32)
    f32.const 0 f32.const 0 f32.div local.set 0 local.get 0 i32.reinterpret_f32)
  (func (export "carry_copysign") (result i32)
    f32.const 1 f32.const 0 f32.const 0 f32.div f32.copysign i32.reinterpret_f32)
  (func (export "carry_store") (result i64)
    i32.const 0 f64.const 0 f64.const 0 f64.div f64.store i32.const 0 i64.load)
  (memory 1)
  ;; Bit operations keep payloads in both profiles.
  (func (export "neg_payload") (result i32)
    i32.const 0x7fa00001 f32.reinterpret_i32 f32.neg i32.reinterpret_f32)
)
