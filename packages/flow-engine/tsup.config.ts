import { writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { FlowSchema } from './src/schema.js';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts', 'src/commands.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/testing.ts', 'src/commands.ts'] },
  clean: true,
  sourcemap: true,
  target: 'node22',
  // The format's JSON Schema, for editors and other languages.
  onSuccess: async () => {
    writeFileSync('dist/flow.schema.json', `${JSON.stringify(FlowSchema, null, 2)}\n`);
  },
});
