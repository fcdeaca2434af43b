// Jest set-up for `npm run mutation` (StrykerJS; see stryker.config.mjs and the README's tests
// section). The unit suite's config with a bailing environment, and one knob:
//   MUTATION_TESTS=services,network-policies  load only test/services.test.ts and
//     test/network-policies.test.ts: every test file imports all of lib/, so Jest's related-test
//     search finds every file, and each one loaded costs seconds per mutant on two cores.
// jest.mutation-assertions.config.js is the same with snapshot matchers turned off.
const path = require('path');

const base = require('./package.json').jest;

const only = (process.env.MUTATION_TESTS ?? '').split(',').map((t) => t.trim()).filter(Boolean);

module.exports = {
  ...base,
  // lib/ is a root too: Jest finds the tests related to a mutated file through its module graph,
  // and files outside the roots are not in it.
  roots: [...base.roots, '<rootDir>/lib'],
  testMatch: only.length > 0 ? only.map((t) => `**/test/${t}.test.ts`) : base.testMatch,
  // Absolute: Stryker loads the environment itself, without expanding <rootDir>.
  testEnvironment: path.join(__dirname, 'test/support/mutation/bail-environment.js'),
  globalSetup: path.join(__dirname, 'test/support/mutation/reset-bail.js'),
  ci: true,
};
