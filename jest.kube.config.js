// Tests against a real kube-apiserver and etcd built from their Go modules; slow, run on their own.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/kube'],
  testMatch: ['**/*.kube.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  cacheDirectory: '<rootDir>/.jest-cache',
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 1,
};
