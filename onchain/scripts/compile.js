// Compiles every contracts/**/*.sol with the pinned solc (package.json) and
// writes one build/<Contract>.json per contract that has bytecode or an
// ABI. Deterministic: sources are read in sorted order, the output JSON has
// a fixed key order, and the settings below are the only ones used.
// Run through scripts/build.sh.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = path.resolve(__dirname, '..');
const contractsDir = path.join(root, 'contracts');
const buildDir = path.join(root, 'build');

// The compiler settings, recorded in RATIONALE ("Why these solc settings?").
const settings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  viaIR: true,
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.sol')) out.push(p);
  }
  return out;
}

const sources = {};
for (const f of walk(contractsDir)) {
  sources[path.relative(root, f).split(path.sep).join('/')] = { content: fs.readFileSync(f, 'utf8') };
}
const input = { language: 'Solidity', sources, settings };
const output = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of output.errors || []) {
  process.stderr.write(e.formattedMessage || e.message);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);

const check = process.argv.includes('--check');
const want = new Map();
for (const src of Object.keys(output.contracts || {}).sort()) {
  for (const name of Object.keys(output.contracts[src]).sort()) {
    const c = output.contracts[src][name];
    const art = {
      contract: name,
      source: src,
      solcVersion: solc.version(),
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    };
    if (want.has(name + '.json')) {
      process.stderr.write(`contract name ${name} defined twice\n`);
      process.exit(1);
    }
    want.set(name + '.json', JSON.stringify(art, null, 1) + '\n');
  }
}

if (check) {
  // Byte-identical check of the committed build/ against a fresh compile.
  const have = fs.existsSync(buildDir) ? fs.readdirSync(buildDir).filter((f) => f.endsWith('.json')).sort() : [];
  let diff = [];
  for (const f of have) if (!want.has(f)) diff.push(`build/${f}: committed, but no contract of that name`);
  for (const [f, text] of want) {
    const p = path.join(buildDir, f);
    if (!fs.existsSync(p)) diff.push(`build/${f}: missing`);
    else if (fs.readFileSync(p, 'utf8') !== text) diff.push(`build/${f}: differs from a fresh compile`);
  }
  if (diff.length) {
    process.stderr.write(diff.join('\n') + '\n');
    process.exit(1);
  }
  process.stdout.write(`build/ matches a fresh compile with solc ${solc.version()} (${want.size} contracts)\n`);
  process.exit(0);
}

fs.mkdirSync(buildDir, { recursive: true });
for (const f of fs.readdirSync(buildDir)) if (f.endsWith('.json') && !want.has(f)) fs.unlinkSync(path.join(buildDir, f));
for (const [f, text] of want) fs.writeFileSync(path.join(buildDir, f), text);
process.stdout.write(`wrote ${want.size} contracts to build/ with solc ${solc.version()}\n`);
