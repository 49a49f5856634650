;; Exports a mutable global for F6-const-expr-mutable-global.wasm (linked as "test").
(module (global (export "g") (mut i32) (i32.const 8)))
