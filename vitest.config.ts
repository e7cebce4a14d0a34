import { defineConfig } from 'vitest/config';

// Every package is a vitest project; `pnpm test` runs them all. Workspace packages are
// resolved to their TypeScript sources (the `@chatloom/source` export condition), so tests
// never run against a stale build.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
