import { defineConfig } from 'vitest/config';

/**
 * Settings every package's vitest project shares. Workspace packages resolve to their
 * TypeScript sources through the `@chatloom/source` export condition, so tests never run
 * against a stale build.
 */
export const conditions = ['@chatloom/source', 'import', 'module', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  // Vitest hands `ssr.resolve.conditions` to Node as `--conditions`, which apply to `require`
  // too: `import` there makes pg's `require('pg-pool')` load pg-pool's ESM build and fail
  // ("Class extends value [object Module]"). Vite adds `import`/`require` per import itself.
  ssr: {
    resolve: { conditions: ['@chatloom/source', 'node'], externalConditions: ['@chatloom/source'] },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
