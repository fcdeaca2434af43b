#!/usr/bin/env node
// Writes test/fixtures/dynamic-duration-vectors.json: what the server's own dynamic config loader
// reads for each of a set of duration values, so test/dynamic-config-types.test.ts can hold the
// library's reader (lib/config/go-duration.ts) to it.
//
//   node scripts/dynamic-duration-vectors.js
//
// Builds tools/config-keys (scripts/go-tool.sh) and runs it with -dynamic-vectors: each value is
// written as the library writes a value in the file (JSON text), loaded with LoadYamlFile of
// go.temporal.io/server@v1.32.2 and read through the system.namespaceMinRetentionLocal setting;
// the answer is its nanoseconds, or null where the converter refuses the value. The values are
// spellings picked by hand at the edges of each step (bare seconds, the day unit, Go's units,
// signs, fractions, overflow) and a fixed pseudo-random sample of strings built from the pieces
// a duration is made of, and of numbers.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.resolve(__dirname, '..');

const picked = [
  '0', '+0', '-0', '', ' ', '0s', '30', '30.', '.5', '1.5', '-5', '+5', '5 ', ' 5', '5s', '+48h', '-48h', '.5d', '1.d', '2d', '1.5d',
  '1d12h', '1h1d', '5µs', '5μs', '5us', '5ns', '5ms', '1h30m', '1.5h', '1.h', '.h', '1..5h', '1e3s', '1e3', '1S', '1H', '1hh', 'h', 'd',
  '-d', '1dd', '1.5.5d', '0.0000001d', '0.00000001d', '0.0078125d', '0.00032552083333333333d', '0.0009765625d', '0.000000005787037037d', '1.0000000001h', '0.1234567890123456789012h',
  '2562047h', '2562048h', '2562047h47m16.854775807s', '2562047h47m16.854775808s', '-2562047h47m16.854775808s', '-2562047h47m16.854775809s',
  '9223372036854775807ns', '9223372036854775808ns', '-9223372036854775808ns', '9223372036854775809ns', '99999999999999999999ns',
  '106751d', '106752d', '9223372036', '9223372037', '9223372036.854775807', '1e400d', `${'9'.repeat(400)}d`, '00000000000000000000001s',
  '1.00000000000000000000000000001s', '1ms1', '1_000s', '１s', '1m-1s', '--1s', '+-1s',
  0, -0, 30, -30, 1.5, -1.5, 0.1, 1e-7, 1e-10, 9223372036, 9223372037, -9223372036, -9223372037, 9223372036.8, 9223372036.85, 1e10, 1e20, 1e21, 1e300,
  Number.MAX_SAFE_INTEGER, 2 ** 53 + 2,
];

/** A fixed sample: a seeded generator, so the fixture is the same on every run. */
function sample(count) {
  let seed = 0x2545f491;
  const next = (n) => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const pieces = ['0', '1', '7', '12', '.', '.5', '3.', '+', '-', 'ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd', 'e', ' ', '99999999999'];
  const numberParts = () => `${next(100000)}${next(2) ? `.${next(1000)}` : ''}`;
  const out = [];
  for (let i = 0; i < count; i++) {
    switch (next(4)) {
      case 0: out.push(Array.from({ length: 1 + next(6) }, () => pieces[next(pieces.length)]).join('')); break;
      case 1: out.push(Array.from({ length: 1 + next(3) }, () => `${numberParts()}${['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd'][next(9)]}`).join('')); break;
      case 2: out.push(`${['', '+', '-'][next(3)]}${numberParts()}${next(2) ? 'd' : ''}`); break;
      default: out.push((next(2) ? -1 : 1) * next(2 ** 30) / 10 ** next(12)); break;
    }
  }
  return out;
}

const values = [...new Map([...picked, ...sample(1500)].map((v) => [JSON.stringify(v) + typeof v, v])).values()];
const tool = /GO_TOOL_BIN=(.*)/.exec(execFileSync('bash', [path.join(root, 'scripts/go-tool.sh'), 'config-keys'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))[1];
const answers = JSON.parse(execFileSync(tool, ['-dynamic-vectors'], { input: JSON.stringify(values.map((v) => JSON.stringify(v))), encoding: 'utf8' }));
const out = {
  source: 'go.temporal.io/server@v1.32.2 common/dynamicconfig LoadYamlFile and system.namespaceMinRetentionLocal, run by tools/config-keys -dynamic-vectors (scripts/dynamic-duration-vectors.js); ns is what the server reads, null a value its converter refuses',
  vectors: values.map((value, i) => ({ value, ns: answers[i] })),
};
fs.writeFileSync(path.join(root, 'test/fixtures/dynamic-duration-vectors.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${values.length} vectors, ${answers.filter((a) => a !== null).length} read`);
