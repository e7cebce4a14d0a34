/**
 * One folder per test run for the UI build the browser tests share: the first browser test
 * file builds into it (see `ensureUiBuilt` in harness.ts), the others wait for that build, and
 * it is removed when the run ends. Component-only runs never build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    uiBuildDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'chatloom-admin-ui-build-'));
  project.provide('uiBuildDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
