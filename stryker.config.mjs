// Mutation testing of lib/ with StrykerJS: `npm run mutation` (see the README's tests section).
// Not part of CI: on two cores a run over all of lib/ takes hours, so scope each run with
// `--mutate` (and MUTATION_TESTS, see jest.mutation.config.js); `incremental` keeps the results
// of earlier runs for code and tests that have not changed.
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  // Generated code is not mutated: imports/ (the Kubernetes bindings) is outside lib/, and the
  // dynamic config keys are generated from the server's registry. The index files only re-export.
  mutate: [
    'lib/**/*.ts',
    '!lib/config/dynamic-config-keys.ts',
    '!lib/index.ts',
    '!lib/**/index.ts',
  ],
  // Static mutants (module-level tables) need every test re-run with a fresh module registry;
  // on two cores that is too slow. The values in those tables are asserted by the tests anyway.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 20000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['build', 'coverage', 'reports', 'test/e2e', 'test/kube', '.stryker-tmp'],
  cleanTempDir: true,
};
