// globalSetup of `npm run mutation`: every Jest run (one per mutant) starts with no failure recorded.
module.exports = () => { globalThis[Symbol.for('cdk8s-temporal.mutation.failedUnder')] = undefined; };
