import { defineConfig } from 'vitest/config';

/**
 * Settings every package's vitest project shares. Workspace packages resolve to their
 * TypeScript sources through the `@chatloom/source` export condition, so tests never run
 * against a stale build.
 */
export const conditions = ['@chatloom/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
