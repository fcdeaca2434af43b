// End-to-end tests run real binaries and take minutes; they run on their own, one file at a time.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  cacheDirectory: '<rootDir>/.jest-cache',
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 1,
};
