import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServer } from './support/server';

// The README's example as a reader runs it: bundled against the package's sources, run by Node against
// the reference server with its demo set (what `pnpm mock` serves), printing what the README says.

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const readme = readFileSync(here('../README.md'), 'utf8');
const example = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
  .map((m) => m[1]!)
  .find(
    (code) =>
      code.includes("from '@threadline/ai-sdk'") && code.includes("from 'ai'") && code.includes('// → '),
  );

describe('README example', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let dir: string;
  beforeAll(async () => {
    ref = await realServer();
    dir = mkdtempSync(join(tmpdir(), 'threadline-ai-sdk-readme-'));
  });
  afterAll(async () => {
    await ref?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints what it claims', async () => {
    expect(example).toBeDefined();
    const claimed = [...example!.matchAll(/\/\/ → (.+)$/gm)].map((m) => m[1]!.trim());
    const file = join(dir, 'example.mjs');
    await build({
      stdin: {
        contents: example!.replaceAll('http://localhost:8787', ref.url),
        loader: 'ts',
        resolveDir: here('.'),
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: file,
      // Bundled CommonJS dependencies call require(); an ES module has none of its own.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      alias: {
        '@threadline/ai-sdk': here('../src/index.ts'),
        '@threadline/protocol': here('../../protocol/src/index.ts'),
      },
      logLevel: 'silent',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 15_000 });
    expect(stdout.trim().split('\n')).toEqual(claimed);
  }, 30_000);
});
