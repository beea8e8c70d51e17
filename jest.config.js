// Two tiers: fast pure specs beside the code (*.unit.spec.ts), and integration specs that talk
// to the real PostgreSQL and Redis on this machine (*.int.spec.ts).
// SWC compiles the ESM-only packages NestJS 12 pulls in, so CommonJS jest can load them.
const esmPackages = [
  '@nestjs', '@as-integrations', 'file-type', 'strtok3', 'token-types', 'uint8array-extras',
  '@tokenizer', '@borewit', 'load-esm', 'uid', '@standard-schema',
].join('|');
const common = {
  transform: { '^.+\\.(t|j)s$': ['@swc/jest'] },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages})/)`],
  testEnvironment: 'node',
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
    {
      ...common,
      displayName: 'int',
      testMatch: ['<rootDir>/**/*.int.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
