/** One jest run for the whole monorepo: unit specs and integration specs against real servers. */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/apps', '<rootDir>/deploy', '<rootDir>/scripts', '<rootDir>/bench'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@atrium/platform$': '<rootDir>/libs/platform/src/index.ts',
    '^@atrium/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
    '^@atrium/contracts$': '<rootDir>/libs/contracts/src/index.ts',
    '^@atrium/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
    '^@atrium/testing$': '<rootDir>/libs/testing/src/index.ts',
    '^@atrium/service-(.*)$': '<rootDir>/services/$1/src/index.ts',
  },
  setupFiles: ['<rootDir>/libs/testing/src/jest-env.ts'],
  testTimeout: 60000,
};
