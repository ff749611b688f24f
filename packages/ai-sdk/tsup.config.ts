import { defineConfig } from 'tsup';
import { declarations } from '../../scripts/declarations.mjs';

const entry = { index: 'src/index.ts' };

export default defineConfig({
  entry,
  format: ['esm'],
  dts: { entry: declarations(entry) },
  clean: true,
  sourcemap: true,
  target: 'es2023',
  treeshake: true,
});
