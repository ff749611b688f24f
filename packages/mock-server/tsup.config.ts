import { defineConfig } from 'tsup';
import { declarations } from '../../scripts/declarations.mjs';

const library = { index: 'src/index.ts', msw: 'src/msw.ts' };

export default defineConfig({
  entry: { ...library, cli: 'src/cli.ts' },
  format: ['esm'],
  dts: { entry: declarations(library) },
  clean: true,
  sourcemap: true,
  target: 'es2023',
  platform: 'node',
  treeshake: true,
  external: ['msw'],
});
