#!/usr/bin/env node
// Seeds `npm run mutation`'s incremental file from a `mutation:assertions` run: every mutant that
// explicit assertions killed is also killed when snapshots count, so only the survivors (and the
// mutants that run did not reach) need testing again. Usage:
//   node scripts/mutation-survivors.js [from] [to]
// (defaults: reports/mutation-assertions/stryker-incremental.json -> reports/mutation/stryker-incremental.json)
const fs = require('fs');
const path = require('path');

const from = process.argv[2] ?? 'reports/mutation-assertions/stryker-incremental.json';
const to = process.argv[3] ?? 'reports/mutation/stryker-incremental.json';
const report = JSON.parse(fs.readFileSync(from, 'utf8'));
const retest = new Set(['Survived', 'RuntimeError', 'Pending']);
let kept = 0;
let dropped = 0;
for (const file of Object.values(report.files)) {
  file.mutants = file.mutants.filter((m) => {
    if (retest.has(m.status)) { dropped++; return false; }
    kept++;
    return true;
  });
}
fs.mkdirSync(path.dirname(to), { recursive: true });
fs.writeFileSync(to, JSON.stringify(report));
console.log(`${to}: kept ${kept} results, ${dropped} mutants to test again`);
