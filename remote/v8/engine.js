'use strict';
// A V8 engine speaking referee's engine protocol v1 (docs/engine-protocol.md)
// on stdin and stdout, one JSON message per line, synchronously: node reads
// fd 0 with readSync, so a host function can call back to the parent and wait
// for its answer inside a Wasm call. referee runs it as
//   node --liftoff-only --no-wasm-tier-up engine.js liftoff
//   node --no-liftoff --no-wasm-lazy-compilation engine.js turbofan
// V8 flags pin the tier. Values cross as raw bits in hex; JavaScript numbers
// carry f32/f64 values, so NaN payloads may change at the JS boundary (the
// divergence class nan-bits), and V8 reports a null call_indirect target and
// a signature mismatch with one message.
const fs = require('fs');
const crypto = require('crypto');

const tier = process.argv[2] || 'turbofan';

let pending = Buffer.alloc(0);
const chunk = Buffer.alloc(1 << 16);

function readLine() {
  for (;;) {
    const i = pending.indexOf(10);
    if (i >= 0) {
      const line = pending.subarray(0, i).toString('utf8');
      pending = pending.subarray(i + 1);
      return line;
    }
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') return null;
      throw e;
    }
    if (n === 0) return null;
    pending = Buffer.concat([pending, chunk.subarray(0, n)]);
  }
}

function send(m) {
  const s = JSON.stringify(m) + '\n';
  let off = 0;
  const b = Buffer.from(s, 'utf8');
  while (off < b.length) off += fs.writeSync(1, b, off);
}

const dv = new DataView(new ArrayBuffer(8));

function hex(b) { return '0x' + b.toString(16); }

// toJS converts raw bits (a hex string) to the JS value of a Wasm type.
function toJS(type, s) {
  const b = BigInt(s);
  switch (type) {
    case 'i32': return Number(BigInt.asIntN(32, b));
    case 'i64': return BigInt.asIntN(64, b);
    case 'f32': dv.setUint32(0, Number(b & 0xffffffffn)); return dv.getFloat32(0);
    case 'f64': dv.setBigUint64(0, BigInt.asUintN(64, b)); return dv.getFloat64(0);
    case 'externref': return b === 0n ? null : b; // a host value N arrives as N+1
    case 'funcref': return null;
  }
  throw new Error('unknown type ' + type);
}

// fromJS converts a JS value of a Wasm type to raw bits (a hex string).
function fromJS(type, v) {
  switch (type) {
    case 'i32': return hex(v >>> 0);
    case 'i64': return hex(BigInt.asUintN(64, BigInt(v)));
    case 'f32': dv.setFloat32(0, v); return hex(dv.getUint32(0));
    case 'f64': dv.setFloat64(0, v); return hex(dv.getBigUint64(0));
    case 'externref': return v === null ? '0x0' : (typeof v === 'bigint' ? hex(v) : '0x1');
    case 'funcref': return v === null ? '0x0' : '0x1';
  }
  throw new Error('unknown type ' + type);
}

function results(types, r) {
  if (types.length === 0) return [];
  if (types.length === 1) return [fromJS(types[0], r)];
  return types.map((t, i) => fromJS(t, r[i]));
}

// Trap messages of V8, mapped to the spec's assert_trap texts.
const trapTexts = [
  ['unreachable', 'unreachable'],
  ['memory access out of bounds', 'out of bounds memory access'],
  ['data segment', 'out of bounds memory access'],
  ['divide by zero', 'integer divide by zero'],
  ['remainder by zero', 'integer divide by zero'],
  ['divide result unrepresentable', 'integer overflow'],
  ['integer overflow', 'integer overflow'],
  // One message for two kinds: the candidates, joined by "|" (the
  // protocol's ambiguous trap; it agrees with either).
  ['float unrepresentable in integer range', 'integer overflow|invalid conversion to integer'],
  ['table index is out of bounds', 'out of bounds table access'],
  ['element segment', 'out of bounds table access'],
  ['table access', 'out of bounds table access'],
  ['null function or function signature mismatch', 'uninitialized element|indirect call type mismatch'],
  ['function signature mismatch', 'indirect call type mismatch'],
  ['Maximum call stack size exceeded', 'call stack exhausted'],
];

let hostTrap = null;

function trapStatus(e) {
  const msg = String(e && e.message !== undefined ? e.message : e);
  if (hostTrap !== null) return { status: 'trap', trap: 'host', detail: hostTrap };
  if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
    for (const [k, v] of trapTexts) if (msg.includes(k)) return { status: 'trap', trap: v, detail: msg };
    return { status: 'trap', trap: msg, detail: msg };
  }
  return { status: 'crash', detail: (e && e.name ? e.name + ': ' : '') + msg };
}

const compiled = new Map(); // hash -> WebAssembly.Module
const instances = new Map(); // id -> {inst, snapshot}
const registered = new Map(); // name -> exports
let nextInstance = 0;
let current = null; // the instance a call runs in (host calls reach its memory)

function memoryOf(inst, name) {
  const m = inst && inst.exports[name];
  if (!(m instanceof WebAssembly.Memory)) throw new Error('no exported memory ' + JSON.stringify(name));
  return new Uint8Array(m.buffer);
}

function memoryOp(inst, m) {
  const mem = memoryOf(inst, m.memory);
  const off = m.offset || 0;
  if (m.op === 'memory.read') {
    const n = m.length || 0;
    if (off + n > mem.length) throw new Error('out of bounds');
    return { data: Buffer.from(mem.subarray(off, off + n)).toString('base64') };
  }
  const data = Buffer.from(m.data || '', 'base64');
  if (off + data.length > mem.length) throw new Error('out of bounds');
  mem.set(data, off);
  return {};
}

function hostFunction(h) {
  return function (...args) {
    send({ op: 'host', module: h.module, name: h.name, args: h.params.map((t, i) => fromJS(t, args[i])), memory: 'memory' });
    for (;;) {
      const line = readLine();
      if (line === null) process.exit(0);
      const m = JSON.parse(line);
      if (m.op === 'memory.read' || m.op === 'memory.write') {
        try {
          send(Object.assign({ id: m.id }, memoryOp(current, m)));
        } catch (e) {
          send({ id: m.id, error: String(e.message) });
        }
      } else if (m.op === 'host.return') {
        const r = (m.results || []).map((s, i) => toJS(h.results[i], s));
        return h.results.length === 1 ? r[0] : (h.results.length === 0 ? undefined : r);
      } else if (m.op === 'host.trap') {
        hostTrap = m.message || 'host trap';
        throw new Error('host trap: ' + hostTrap);
      } else {
        send({ id: m.id, error: 'op ' + m.op + ' inside a host call' });
      }
    }
  };
}

function isZero(page) {
  const w = new BigUint64Array(page.buffer, page.byteOffset, page.length / 8);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0n) return false;
  return true;
}

// memoryHash is referee's memory digest: sha256 over the size in 64 KiB
// pages (u32 big-endian), then each non-zero 4 KiB page's index (u32
// big-endian) and bytes.
function memoryHash(b) {
  const h = crypto.createHash('sha256');
  const u = Buffer.alloc(4);
  u.writeUInt32BE(b.length / 65536);
  h.update(u);
  for (let p = 0; p + 4096 <= b.length; p += 4096) {
    const pg = b.subarray(p, p + 4096);
    if (!isZero(pg)) {
      u.writeUInt32BE(p / 4096);
      h.update(u);
      h.update(pg);
    }
  }
  return h.digest('hex');
}

function handle(m) {
  switch (m.op) {
    case 'hello':
      return { protocol: 1, engine: 'v8-' + tier, version: 'node ' + process.version + ', V8 ' + process.versions.v8 };
    case 'compile':
      try {
        compiled.set(m.hash, new WebAssembly.Module(Buffer.from(m.binary || '', 'base64')));
      } catch (e) {
        return { status: { status: e instanceof WebAssembly.CompileError ? 'rejected' : 'crash', detail: String(e.message) } };
      }
      return { status: { status: 'ok' } };
    case 'release':
      compiled.delete(m.hash);
      return {};
    case 'instantiate': {
      const mod = compiled.get(m.hash);
      if (!mod) throw new Error('no compiled module ' + m.hash);
      const imports = {};
      for (const [name, exports] of registered) imports[name] = exports;
      for (const h of m.host || []) {
        imports[h.module] = Object.assign({}, imports[h.module] || {});
        imports[h.module][h.name] = hostFunction(h);
      }
      hostTrap = null;
      let inst;
      try {
        inst = new WebAssembly.Instance(mod, imports);
      } catch (e) {
        if (e instanceof WebAssembly.LinkError || e instanceof TypeError) return { status: { status: 'link', detail: String(e.message) } };
        return { status: trapStatus(e) };
      }
      for (const gs of m.set || []) {
        const g = inst.exports[gs.name];
        if (!(g instanceof WebAssembly.Global)) throw new Error('set ' + JSON.stringify(gs.name) + ': not an exported global');
        g.value = toJS(gs.type, gs.value);
      }
      const id = ++nextInstance;
      const rec = { inst, snapshot: null };
      if (m.snapshot) {
        rec.snapshot = new Map();
        const b = memoryOf(inst, m.snapshot);
        for (let p = 0; p + 4096 <= b.length; p += 4096) {
          const pg = b.subarray(p, p + 4096);
          if (!isZero(pg)) rec.snapshot.set(p / 4096, Buffer.from(pg));
        }
      }
      instances.set(id, rec);
      if (m.as) registered.set(m.as, inst.exports);
      return { instance: id, status: { status: 'ok' } };
    }
    case 'invoke': {
      const rec = instances.get(m.instance);
      if (!rec) throw new Error('no instance ' + m.instance);
      const fn = rec.inst.exports[m.export];
      if (typeof fn !== 'function') return { status: { status: 'crash', detail: 'no exported function ' + JSON.stringify(m.export) } };
      const params = m.paramTypes || [];
      const args = (m.args || []).map((s, i) => toJS(params[i], s));
      hostTrap = null;
      current = rec.inst;
      let r;
      try {
        r = fn(...args);
      } catch (e) {
        return { status: trapStatus(e) };
      } finally {
        current = null;
      }
      return { status: { status: 'ok' }, results: results(m.resultTypes || [], r) };
    }
    case 'global.set': {
      const rec = instances.get(m.instance);
      const g = rec && rec.inst.exports[m.name];
      if (!(g instanceof WebAssembly.Global)) throw new Error('no exported global ' + JSON.stringify(m.name));
      g.value = toJS(m.type, m.value);
      return {};
    }
    case 'observe': {
      const rec = instances.get(m.instance);
      if (!rec) throw new Error('no instance ' + m.instance);
      const out = { globals: [], summaries: [] };
      (m.globals || []).forEach((name, i) => {
        const g = rec.inst.exports[name];
        if (!(g instanceof WebAssembly.Global)) throw new Error('no exported global ' + JSON.stringify(name));
        out.globals.push(fromJS((m.globalTypes || [])[i], g.value));
      });
      if (m.memory) {
        const b = memoryOf(rec.inst, m.memory);
        out.mem = { pages: b.length / 65536, hash: memoryHash(b) };
        if (m.dirty) {
          let n = 0;
          for (let p = 0; p + 4096 <= b.length; p += 4096) {
            const pg = b.subarray(p, p + 4096);
            const before = rec.snapshot && rec.snapshot.get(p / 4096);
            if (before ? !before.equals(pg) : !isZero(pg)) n++;
          }
          out.dirtyPages = n;
        }
      }
      for (const name of m.tables || []) {
        const r = rec.inst.exports[name]();
        out.summaries.push([hex(r[0] >>> 0), hex(BigInt.asUintN(64, r[1]))]);
      }
      if (m.drop) instances.delete(m.instance);
      return out;
    }
    case 'memory.read':
    case 'memory.write': {
      const rec = instances.get(m.instance);
      if (!rec) throw new Error('no instance ' + m.instance);
      return memoryOp(rec.inst, m);
    }
    case 'drop':
      instances.delete(m.instance);
      return {};
    case 'reset':
      instances.clear();
      registered.clear();
      return {};
  }
  throw new Error('unknown op ' + JSON.stringify(m.op));
}

for (;;) {
  const line = readLine();
  if (line === null) break;
  let m;
  try {
    m = JSON.parse(line);
  } catch (e) {
    send({ error: 'unreadable message: ' + e.message });
    continue;
  }
  let rep;
  try {
    rep = handle(m);
  } catch (e) {
    rep = { error: String(e && e.message !== undefined ? e.message : e) };
  }
  rep.id = m.id;
  send(rep);
}
