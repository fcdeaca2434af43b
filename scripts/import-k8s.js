#!/usr/bin/env node
// Generates imports/k8s.ts from the Kubernetes OpenAPI definitions vendored in schemas/k8s
// with the same generator `cdk8s import k8s@X` uses. The CLI would download the definitions;
// this machine (and CI) has no route to that host, so we hand the importer the local file.
'use strict';
const fs = require('fs');
const path = require('path');

const version = process.argv[2] || '1.30.0';
const schemaFile = path.resolve(__dirname, '..', 'schemas', 'k8s', `v${version}`, '_definitions.json');
if (!fs.existsSync(schemaFile)) {
  console.error(`import-k8s: ${schemaFile} not found. The repository vendors the definitions it supports under schemas/k8s (see schemas/SOURCES.md).`);
  process.exit(1);
}

// The CLI's package.json exports no subpaths, so load its modules by file path.
const cliRoot = path.dirname(require.resolve('cdk8s-cli/package.json', { paths: [path.resolve(__dirname, '..')] }));
const util = require(path.join(cliRoot, 'lib', 'util.js'));
util.download = async () => fs.readFileSync(schemaFile, 'utf-8');
const { ImportKubernetesApi } = require(path.join(cliRoot, 'lib', 'import', 'k8s.js'));
const { Language } = require(path.join(cliRoot, 'lib', 'import', 'base.js'));

new ImportKubernetesApi({ apiVersion: version })
  .import({ outdir: path.resolve(__dirname, '..', 'imports'), targetLanguage: Language.TYPESCRIPT, moduleNamePrefix: undefined })
  // One pass per object instead of one copy per field in every toJson_* (see scripts/linear-imports.js).
  .then(() => require('./linear-imports').rewrite(path.resolve(__dirname, '..', 'imports', 'k8s.ts')))
  .catch((err) => { console.error(err); process.exit(1); });
