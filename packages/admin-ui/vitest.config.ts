import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// Component tests render into jsdom; the browser tests (test/*.e2e.test.ts) drive a real
// Chromium from Node and set `// @vitest-environment node` themselves.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: '@chatloom/admin-ui',
      environment: 'jsdom',
      include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  }),
);
