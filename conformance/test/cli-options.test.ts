import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockServer, createNodeListener, type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/index';
import { createProgress } from '../src/reporters/pretty';
import { bundleCli, lastLine, launch } from './support/cli';

// The flags that only shape how the run goes (credentials, model, timeout, concurrency), end to end
// through the CLI, and the progress line it draws.

let dir: string;
let cli: string;
let secured: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-conformance-options-'));
  cli = await bundleCli(dir);
  secured = await start({ port: 0, dialect: 'openai', auth: { apiKeys: ['sk-token-key'] } });
}, 60_000);

afterAll(async () => {
  await secured?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => launch(cli, args, env).done;

async function jsonRun(args: string[], env?: NodeJS.ProcessEnv) {
  const file = join(dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const out = await run([...args, '--reporter', `json=${file}`], env);
  const report = JSON.parse(await readFile(file, 'utf8'));
  const status = new Map<string, string>(report.results.map((r: CheckResult) => [r.id, r.status]));
  return { out, report, status };
}

/**
 * The reference server with 100 ms of latency on every answer, behind a node:http listener that counts
 * the most requests it had open at once.
 */
async function countingServer() {
  const reference = createMockServer({ faults: 'latency=100' });
  const listener = createNodeListener(reference);
  let open = 0;
  const seen = { max: 0 };
  const server = createServer((req, res) => {
    seen.max = Math.max(seen.max, ++open);
    res.once('close', () => open--);
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      reference.close();
    },
  };
}

describe('CLI options end to end', () => {
  it('--token and $THREADLINE_API_KEY authenticate like --api-key; without them the server refuses', async () => {
    const args = ['--base-url', secured.url, '--dialect', 'openai', '--filter', 'models'];
    const token = await jsonRun([...args, '--token', 'sk-token-key']);
    expect(token.out.code).toBe(0);
    expect(token.status.get('models.list-shape')).toBe('passed');
    const env = await jsonRun(args, { ...process.env, THREADLINE_API_KEY: 'sk-token-key' });
    expect(env.out.code).toBe(0);
    const { THREADLINE_API_KEY: _, ...bare } = process.env;
    const none = await jsonRun(args, bare);
    expect(none.out.code).toBe(1);
    expect(none.status.get('models.list-shape')).toBe('failed');
  });

  it('--model names the model every chat check sends', async () => {
    const { out, report } = await jsonRun([
      ...['--base-url', secured.url, '--dialect', 'openai', '--api-key', 'sk-token-key'],
      ...['--model', 'threadline-large', '--filter', 'chat.json.schema'],
    ]);
    expect(out.code).toBe(0);
    expect(report.model).toEqual({ id: 'threadline-large', source: 'option' });
    const sent = secured.server.journal.list().filter((e) => e.path === '/v1/chat/completions');
    expect(sent.at(-1)?.body).toMatchObject({ model: 'threadline-large' });
  });

  it('--timeout fails a check that outlives it, with the limit in the message', async () => {
    const started = performance.now();
    const out = await run([
      ...['--header', 'x-threadline-fault: stall-after=1', '--timeout', '500'],
      ...['--filter', 'chat.stream.done-terminator'],
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('✗ chat.stream.done-terminator');
    expect(out.stdout).toContain(
      // chat.stream.completes, which would block it, is not in the run: it judges the broken stream itself.
      'timed out: the per-check limit is 500 ms (--timeout); the stream broke off (timed out)',
    );
    // The default limit is 10 s: finishing well before it shows the flag was applied.
    expect(performance.now() - started).toBeLessThan(8000);
  });

  it.each([
    [1, 1],
    [3, 3],
  ])('--concurrency %i keeps at most %i requests in flight', async (concurrency, expected) => {
    const server = await countingServer();
    try {
      const out = await run([
        ...['--base-url', server.url, '--dialect', 'openai', '--filter', 'chat.sampling'],
        ...['--concurrency', String(concurrency)],
      ]);
      // The reference server passes them all; how many ran at once is what matters here.
      expect(out.code).toBe(0);
      expect(server.seen.max).toBe(expected);
    } finally {
      await server.close();
    }
  });
});

describe('report files', () => {
  it('are tried before the run: a run that cannot start leaves no empty report, an old one intact', async () => {
    const fresh = join(dir, 'reports', 'fresh.xml');
    const old = join(dir, 'old.json');
    await writeFile(old, '{"old":true}');
    const out = await run([
      ...['--base-url', 'http://127.0.0.1:9'],
      ...['--reporter', `junit=${fresh}`, '--reporter', `json=${old}`],
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^threadline-conformance: server unreachable: /);
    await expect(stat(fresh)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(old, 'utf8')).toBe('{"old":true}');
  });
});

describe('pretty to a file', () => {
  it('--reporter pretty=FILE writes there, leaving stdout to another reporter', async () => {
    const file = join(dir, 'pretty.txt');
    const out = await run(['--filter', 'health', '--reporter', `pretty=${file}`, '--reporter', 'json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).summary.passed).toBe(1);
    expect(lastLine(await readFile(file, 'utf8'))).toBe('1 passed, 0 failed, 0 skipped');
  });
});

describe('the progress line', () => {
  const result = (id: string, status: CheckResult['status']) => ({ id, status }) as CheckResult;

  function fakeStream(isTTY: boolean) {
    const writes: string[] = [];
    const stream = { isTTY, columns: 30, write: (text: string) => writes.push(text) };
    return { writes, stream: stream as unknown as NodeJS.WriteStream };
  }

  it('on a terminal: redrawn in place with the count, the failures so far and the check, then cleared', () => {
    const { writes, stream } = fakeStream(true);
    const progress = createProgress(stream);
    progress.start(2, 'http://h');
    progress.result(result('chat.stream.same-id', 'failed'), 1, 2);
    progress.result(result('models.list-shape-with-a-long-name', 'passed'), 2, 2);
    progress.end();
    expect(writes).toEqual([
      '\r\x1b[2K[1/2] 1 failed · chat.stream.',
      '\r\x1b[2K[2/2] 1 failed · models.list-',
      '\r\x1b[2K',
    ]);
  });

  it('elsewhere (CI logs): one line when the run starts, nothing per check', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgress(stream);
    progress.start(2, 'http://h');
    progress.result(result('chat.stream.same-id', 'failed'), 1, 2);
    progress.end();
    expect(writes).toEqual(['running 2 conformance checks against http://h…\n']);
  });
});
