// `npm run mutation:assertions`: jest.mutation.config.js with snapshot matchers that always pass,
// so that only explicit assertions kill mutants.
const config = require('./jest.mutation.config');

module.exports = { ...config, setupFilesAfterEnv: [...(config.setupFilesAfterEnv ?? []), '<rootDir>/test/support/mutation/no-snapshots.js'] };
