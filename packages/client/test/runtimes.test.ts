import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './support/bundle';
import { realServer } from './support/server';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Node binaries from the `node` npm package: the repo's Node 24, and Node 22 through the `node22` alias.
const RUNTIMES = [
  { major: 22, bin: here('../node_modules/node22/bin/node') },
  { major: 24, bin: here('../../../node_modules/node/bin/node') },
];

describe('supported runtimes', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let dir: string;
  let script: string;
  beforeAll(async () => {
    ref = await realServer();
    dir = mkdtempSync(join(tmpdir(), 'threadline-runtime-'));
    script = join(dir, 'smoke.mjs');
    writeFileSync(script, await bundleFixture('runtime-smoke.ts', { format: 'esm' }));
  });
  afterAll(async () => {
    await ref.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(RUNTIMES)(
    'Node $major streams, raises typed errors, times out stalls and builds parts',
    async ({ major, bin }) => {
      expect(existsSync(bin), `${bin} (install dev dependencies)`).toBe(true);
      const { stdout } = await run(bin, [script, ref.url], { timeout: 15_000 });
      const result = JSON.parse(stdout.trim());
      expect(Number(result.node.split('.')[0])).toBe(major);
      expect(result).toMatchObject({
        text: 'You said: runtime check',
        notFound: true,
        idle: true,
        part: 'data:image/png;base64,',
      });
      expect(result.usage).toBeGreaterThan(0);
    },
  );
});
