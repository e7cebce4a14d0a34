import { defineConfig } from 'tsup';

export default defineConfig({
  // `conformance` is its own entry so the fake server's entry never loads vitest or fast-check.
  entry: { index: 'src/index.ts', conformance: 'src/conformance/index.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', conformance: 'src/conformance/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node22',
});
