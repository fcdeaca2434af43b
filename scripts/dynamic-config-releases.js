#!/usr/bin/env node
// Writes test/fixtures/temporal-dynamic-config-releases.json: in which of the releases this library
// knows each dynamic config key is registered, read from each release's source.
//
//   node scripts/dynamic-config-releases.js <dir> ...
//
// Each <dir> holds one release's module, as the Go module proxy serves it
// (https://proxy.golang.org/go.temporal.io/server/@v/v<release>.zip, unzipped): the release is read
// from its go.temporal.io/server@v<release> folder. A key is registered where a non-test Go file
// calls dynamicconfig.New<Precedence><Type>Setting*("<key>", ...); on v1.32.2 that finds exactly
// the keys of tools/config-keys' registry dump (the script checks), so the scan is trusted for the
// other releases. Releases the proxy does not serve are left out and listed as such: lib takes a
// key as registered in one of them unless its neighbours on both sides agree it is not.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const SETTING = /New([A-Za-z]*?)(Int|Float|Bool|Duration|String|Map|Typed)Setting[A-Za-z]*\(\s*"([^"]+)"/g;
const PRECEDENCE = {
  Global: 'global', Namespace: 'namespace', NamespaceID: 'namespaceID', TaskQueue: 'taskQueue', ShardID: 'shardID',
  TaskType: 'taskType', Destination: 'destination', ChasmTaskType: 'chasmTaskType',
};

function compare(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

function scan(dir) {
  const settings = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.go') && !e.name.endsWith('_test.go')) {
        for (const [, precedence, type, key] of fs.readFileSync(p, 'utf-8').matchAll(SETTING)) {
          if (!PRECEDENCE[precedence]) throw new Error(`${p}: unknown precedence ${precedence} of ${key}`);
          settings.set(key, { precedence: PRECEDENCE[precedence], type: type.toLowerCase() });
        }
      }
    }
  };
  walk(dir);
  return settings;
}

const scanned = {};
for (const arg of process.argv.slice(2)) {
  const base = path.join(arg, 'go.temporal.io');
  const folder = fs.readdirSync(base).find((f) => f.startsWith('server@v'));
  if (!folder) throw new Error(`${arg}: no go.temporal.io/server@v* folder`);
  scanned[folder.slice('server@v'.length)] = scan(path.join(base, folder));
}
const releases = Object.keys(scanned).sort(compare);

// The scan must find what the v1.32.2 registry holds, no more and no less, with the same precedence.
const registry = JSON.parse(fs.readFileSync(path.join(root, 'test/fixtures/temporal-dynamic-config-keys-v1.32.2.json'), 'utf-8'));
if (scanned['1.32.2']) {
  const found = scanned['1.32.2'];
  const problems = registry.settings.filter((s) => found.get(s.key)?.precedence !== s.precedence).map((s) => s.key);
  if (problems.length || found.size !== registry.settings.length) {
    throw new Error(`the scan of 1.32.2 disagrees with the registry dump: ${problems.slice(0, 10).join(', ')} (${found.size} vs ${registry.settings.length})`);
  }
}

const listed = fs.readFileSync(path.join(root, 'lib/versions.ts'), 'utf-8').match(/^ {2}'(\d+\.\d+\.\d+)':/gm).map((l) => l.trim().slice(1, -2));
const all = new Set(releases.flatMap((r) => [...scanned[r].keys()]));
const keys = {};
for (const key of [...all].sort()) {
  const where = releases.filter((r) => scanned[r].has(key));
  if (where.length === releases.length) continue;
  const last = scanned[where[where.length - 1]].get(key);
  keys[key] = { releases: where, ...(registry.settings.some((s) => s.key === key) ? {} : { precedence: last.precedence, type: last.type }) };
}
const out = {
  source: 'go.temporal.io/server, one module per release from the Go module proxy; New*Setting calls of non-test Go files (scripts/dynamic-config-releases.js)',
  note: 'Only keys not registered in every scanned release. precedence and type are given for keys the v1.32.2 registry does not hold (from the newest release that registers them).',
  scanned: releases,
  notScanned: listed.filter((r) => !releases.includes(r) && r !== '1.30.0'),
  keys,
};
fs.writeFileSync(path.join(root, 'test/fixtures/temporal-dynamic-config-releases.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`${releases.length} releases, ${Object.keys(keys).length} keys not in all of them`);
