// `npm run mutation:assertions`: the same run, but snapshot assertions do not count as kills
// (jest.mutation-assertions.config.js), so its score is what explicit assertions catch.
import base from './stryker.config.mjs';

export default {
  ...base,
  jest: { ...base.jest, configFile: 'jest.mutation-assertions.config.js' },
  incrementalFile: 'reports/mutation-assertions/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation-assertions/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation-assertions/mutation.json' },
};
