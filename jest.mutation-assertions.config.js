// `npm run mutation:assertions`: jest.mutation.config.js with snapshot matchers that always pass,
// so that only explicit assertions kill mutants.
const path = require('path');

const config = require('./jest.mutation.config');

module.exports = { ...config, setupFilesAfterEnv: [...(config.setupFilesAfterEnv ?? []), path.join(__dirname, 'test/support/mutation/no-snapshots.js')] };
