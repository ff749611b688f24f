import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./${pkg}/src/${file}`, import.meta.url));

// Tests run against the TypeScript sources of sibling packages, never stale dist builds.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@threadline\/protocol$/, replacement: src('packages/protocol') },
      { find: /^@threadline\/protocol\/schemas$/, replacement: src('packages/protocol', 'schemas/index.ts') },
      { find: /^@threadline\/mock-server\/msw$/, replacement: src('packages/mock-server', 'msw.ts') },
      { find: /^@threadline\/client$/, replacement: src('packages/client') },
      { find: /^@threadline\/mock-server$/, replacement: src('packages/mock-server') },
      { find: /^@threadline\/ai-sdk$/, replacement: src('packages/ai-sdk') },
      { find: /^@threadline\/conformance$/, replacement: src('conformance') },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'conformance/test/**/*.test.ts',
      'examples/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
