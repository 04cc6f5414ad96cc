/** `npm run test:faults`: the fault tests (`*.fault-spec.ts`), which crash servers of their own; one file at a time. */
const base = require('./jest.config');

module.exports = { ...base, testMatch: ['**/*.fault-spec.ts'], testTimeout: 600000 };
