// The test environment of `npm run mutation`: once a test fails under a mutant, the rest of that
// mutant's run is skipped. One failure is enough to kill it, and Jest has no bail that Stryker can
// use programmatically, so without this every killed mutant would still run every covering test.
const { TestEnvironment } = require('jest-environment-node');

const FAILED = Symbol.for('cdk8s-temporal.mutation.failedUnder');
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

class BailEnvironment extends TestEnvironment {
  async handleTestEvent(event, state) {
    if (super.handleTestEvent) await super.handleTestEvent(event, state);
    const mutant = process.env[ACTIVE_MUTANT];
    // The dry run (no active mutant) must run every test: it records which tests cover what.
    if (mutant === undefined) return;
    if (event.name === 'test_start' && globalThis[FAILED] === mutant) event.test.mode = 'skip';
    if (event.name === 'test_done' && event.test.errors.length > 0) globalThis[FAILED] = mutant;
  }
}

module.exports = BailEnvironment;
