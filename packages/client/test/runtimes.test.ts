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

// Node binaries from the `node` npm package (the repo's Node 24, Node 22 through the `node22` alias) and
// Bun from the `bun` npm package (aliased `bun1`: pnpm reserves the name `bun` for package managers).
const RUNTIMES = [
  { name: 'Node 22', bin: here('../node_modules/node22/bin/node'), check: { node: /^22\./, bun: null } },
  { name: 'Node 24', bin: here('../../../node_modules/node/bin/node'), check: { node: /^24\./, bun: null } },
  { name: 'Bun 1', bin: here('../node_modules/bun1/bin/bun.exe'), check: { bun: /^1\./ } },
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
    '$name streams chat and responses (HTTP and WebSocket mode), raises typed errors, times out stalls and builds parts',
    async ({ bin, check }) => {
      expect(existsSync(bin), `${bin} (install dev dependencies)`).toBe(true);
      const { stdout } = await run(bin, [script, ref.url], { timeout: 15_000 });
      const result = JSON.parse(stdout.trim());
      expect(result).toMatchObject(check);
      expect(result).toMatchObject({
        text: 'You said: runtime check',
        notFound: true,
        idle: true,
        part: 'data:image/png;base64,',
        responses: {
          text: 'You said: runtime responses',
          final: 'You said: runtime responses',
          fault: 'IncompleteStreamError',
        },
        socket: {
          first: 'You said: socket one',
          continued: true,
          error: 'previous_response_not_found',
        },
      });
      // Both turns carried that runtime's thread header from the upgrade, and remembered the first.
      expect(result.socket.second).toMatch(/^You said: socket two From memory: .*socket one/);
      const onThread = ref.server.journal
        .list()
        .filter((e) => (e.headers as Record<string, string>)['ic-thread-id'] === result.socket.thread);
      expect(onThread.map((e) => (e.body as { input: string }).input)).toEqual([
        'socket one',
        'socket two',
        'x',
      ]);
      expect(result.usage).toBeGreaterThan(0);
    },
  );
});
