import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_PREFIX } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { bundleForNode } from './support/cli';
import { type FuzzCase, generateCases, type RouteSpec, resolveIds } from './support/fuzz';
import { encodeRequest, malformedCases, type RawAnswer, sendRaw } from './support/fuzz-http';
import { Rng, storingChat } from './support/fuzz-values';

/**
 * A seeded, bounded fuzz run over every route, against the reference server in a child process (so a
 * crash or an out-of-memory abort is seen as an exit, and its heap can be measured after a full GC).
 * Replay a failure with FUZZ_SEED=<seed> (and FUZZ_COUNT=<n> for a longer run).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2_000);
/** No answer may take longer than this. */
const ANSWER_BOUND_MS = 5_000;
/** Requests in flight at once (the machine has 2 cores; the server is one process). */
const CONCURRENCY = 4;

const ROUTES: RouteSpec[] = [
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/responses' },
  { method: 'POST', path: '/v1/responses' },
  { method: 'GET', path: '/v1/models' },
  { method: 'GET', path: '/v1/models/:model' },
  { method: 'GET', path: '/v1/files/:id' },
  { method: 'GET', path: '/v1/files/:id/content' },
  { method: 'GET', path: '/v1/runs/:id' },
  { method: 'POST', path: '/v1/ingest' },
  { method: 'POST', path: '/v1/ingest' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/.well-known/threadline-conformance.json' },
  { method: 'GET', path: `${CONTROL_PREFIX}/journal` },
  { method: 'GET', path: `${CONTROL_PREFIX}/tools` },
  { method: 'GET', path: `${CONTROL_PREFIX}/faults` },
  { method: 'GET', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'GET', path: '/nowhere/:x' },
];

/** Control routes that change what later requests get: fuzzed one at a time, their effect undone after. */
const MUTATING_ROUTES: RouteSpec[] = [
  { method: 'POST', path: `${CONTROL_PREFIX}/faults` },
  { method: 'DELETE', path: `${CONTROL_PREFIX}/faults` },
  { method: 'POST', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'DELETE', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'POST', path: `${CONTROL_PREFIX}/reset` },
];

describe('the fuzz route table', () => {
  it('holds every route the server registers', () => {
    const server = createMockServer();
    const fuzzed = new Set([...ROUTES, ...MUTATING_ROUTES].map((r) => `${r.method} ${r.path}`));
    // `:name` segments: the fuzzer fills them with ids of its own, so the parameter's name does not matter.
    const key = (r: { method: string; pattern: string }) => `${r.method} ${r.pattern.replace(/:\w+/g, ':')}`;
    const fuzzedShapes = new Set([...fuzzed].map((k) => k.replace(/:\w+/g, ':')));
    const missing = server.router.list().filter((r) => !fuzzedShapes.has(key(r)));
    expect(missing.map(key)).toEqual([]);
  });
});

/** The server child's script, bundled once for every run of this file (removed after them). */
let bundled: Promise<{ dir: string; script: string }> | undefined;
function serverScript(): Promise<string> {
  bundled ??= mkdtemp(join(tmpdir(), 'threadline-fuzz-bundle-')).then(async (dir) => ({
    dir,
    script: await bundleForNode(
      fileURLToPath(new URL('./support/fuzz-server.ts', import.meta.url)),
      join(dir, 'fuzz-server.mjs'),
    ),
  }));
  return bundled.then((b) => b.script);
}
afterAll(async () => {
  if (bundled) await rm((await bundled).dir, { recursive: true, force: true });
});

interface ServerChild {
  child: ChildProcess;
  port: number;
  exited: () => string | null;
  heap(): Promise<{ heapUsed: number; rss: number; gc: boolean }>;
}

async function startChild(script: string, config: unknown): Promise<ServerChild> {
  const child = fork(script, [JSON.stringify(config)], {
    execArgv: ['--expose-gc', '--max-old-space-size=768'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-4_000);
  });
  let exit: string | null = null;
  child.on('exit', (code, signal) => {
    exit = `server exited (code ${code}, signal ${signal}); stderr: ${stderr}`;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(exit ?? 'server exited')));
  });
  return {
    child,
    port,
    exited: () => exit,
    heap: () =>
      new Promise((resolve, reject) => {
        if (exit !== null || !child.connected) {
          reject(new Error(exit ?? 'the server child is not connected'));
          return;
        }
        const onExit = () => reject(new Error(exit ?? 'server exited'));
        const onMessage = (m: { kind: string; heapUsed: number; rss: number; gc: boolean }) => {
          if (m.kind !== 'heap') return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send('heap');
      }),
  };
}

/** What is wrong with one answer, or null when it is acceptable. */
function judge(c: FuzzCase, answer: RawAnswer, dialectShapes = false): string | null {
  if (answer.timedOut) return `no answer within ${ANSWER_BOUND_MS} ms`;
  if (answer.elapsedMs > ANSWER_BOUND_MS) return `answered after ${Math.round(answer.elapsedMs)} ms`;
  if (answer.status === null) {
    return c.bendsProtocol
      ? null
      : `connection closed without an answer after ${Math.round(answer.elapsedMs)} ms (${answer.body.byteLength} bytes)`;
  }
  const status = answer.status;
  if (c.head.byteLength > 17 * 1024 && status !== 431)
    return `a ${c.head.byteLength}-byte head got ${status}, not 431`;
  if (status === 431 && c.head.byteLength < 15 * 1024) return `431 for a head of ${c.head.byteLength} bytes`;
  if (status >= 500 && status !== c.injectedStatus)
    return `status ${status}: ${answer.body.toString().slice(0, 300)}`;
  if (c.bendsProtocol || c.method === 'HEAD' || status < 400) return null;
  if (!answer.headers['content-type']?.startsWith('application/json')) {
    return `error ${status} with content-type ${answer.headers['content-type']}: ${answer.body.toString().slice(0, 200)}`;
  }
  let body: { error?: { message?: unknown } | string; message?: unknown };
  try {
    body = JSON.parse(answer.body.toString());
  } catch {
    return `error ${status} whose body is not JSON: ${answer.body.toString().slice(0, 200)}`;
  }
  const nested =
    typeof body.error === 'object' && body.error !== null && typeof body.error.message === 'string';
  // Other dialects answer flat (`{message, type, …}`) or with the error as a string (unknown models).
  const dialectShaped = typeof body.message === 'string' || typeof body.error === 'string';
  if (!nested && !(dialectShapes && dialectShaped)) {
    return `error ${status} without an error object: ${answer.body.toString().slice(0, 200)}`;
  }
  return null;
}

const describeCase = (c: FuzzCase) =>
  `#${c.index} ${c.kind} ${c.method} ${c.target.slice(0, 120)}${c.target.length > 120 ? '…' : ''} (head ${c.head.byteLength} B, body ${c.body.byteLength} B)`;

describe(`fuzz run (seed ${SEED}, ${COUNT} requests; FUZZ_SEED=${SEED} replays it)`, () => {
  let dir: string;
  let server: ServerChild;
  const failures: string[] = [];

  beforeAll(async () => {
    console.log(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${COUNT} requests`);
    dir = await mkdtemp(join(tmpdir(), 'threadline-fuzz-'));
    await mkdir(join(dir, 'uploads'));
    await mkdir(join(dir, 'bucket', 'docs'), { recursive: true });
    await writeFile(join(dir, 'uploads', 'notes.txt'), 'upload notes');
    await writeFile(join(dir, 'bucket', 'docs', 'a.json'), '{"a":1}');
    const script = await serverScript();
    server = await startChild(script, {
      uploadDir: join(dir, 'uploads'),
      buckets: { b: join(dir, 'bucket') },
    });
  }, 60_000);

  afterAll(async () => {
    server?.child.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (c: { head: Buffer; body: Buffer }) =>
    sendRaw(server.port, c.head, c.body, ANSWER_BOUND_MS + 1_000);

  async function alive(): Promise<string | null> {
    const probe = encodeRequest(
      { method: 'GET', target: '/health', headers: [], body: Buffer.alloc(0), kind: '' },
      'none',
    );
    const answer = await send(probe);
    if (server.exited()) return server.exited();
    if (answer.status !== 200)
      return `/health answered ${answer.status ?? 'nothing'} after ${Math.round(answer.elapsedMs)} ms`;
    return null;
  }

  it('survives every generated request with typed errors, in bounded time and bounded memory', async () => {
    const started = performance.now();
    // Plain turns first, so the baseline heap is taken with the code paths warm.
    for (let i = 0; i < 100; i++) {
      const body = Buffer.from(
        JSON.stringify({ model: '', messages: [{ role: 'user', content: `hello ${i}` }] }),
      );
      await send(
        encodeRequest(
          { method: 'POST', target: '/v1/chat/completions', headers: [], body, kind: '' },
          'length',
        ),
      );
    }
    await send(
      encodeRequest(
        { method: 'POST', target: `${CONTROL_PREFIX}/reset`, headers: [], body: Buffer.alloc(0), kind: '' },
        'length',
      ),
    );
    const before = await server.heap();
    expect(before.gc, 'the server child runs with --expose-gc').toBe(true);

    // Seeding: files stored under hostile names (and their runs), one at a time, so the ids the cases
    // download and look up are the same positions on every run of a seed.
    const ids: string[] = [];
    const seedRng = new Rng(SEED ^ 0xf11e);
    for (let i = 0; i < 40; i++) {
      const body = Buffer.from(JSON.stringify(storingChat(seedRng)));
      const stored = await send(
        encodeRequest(
          { method: 'POST', target: '/v1/chat/completions', headers: [], body, kind: '' },
          'length',
        ),
      );
      const runId = stored.headers['x-threadline-run-id'];
      if (stored.status !== 200 || !runId) {
        failures.push(`seeding chat ${i}: ${stored.status} ${stored.body.toString().slice(0, 200)}`);
        continue;
      }
      const run = await send(
        encodeRequest(
          { method: 'GET', target: `/v1/runs/${runId}`, headers: [], body: Buffer.alloc(0), kind: '' },
          'none',
        ),
      );
      ids.push(runId, ...(JSON.parse(run.body.toString()) as { file_ids: string[] }).file_ids);
    }

    // FUZZ_ONLY=12,40 sends just those cases of the seed (to replay a failure alone).
    const only = process.env.FUZZ_ONLY?.split(',').map(Number);
    const cases = generateCases(SEED, COUNT, ROUTES)
      .filter((c) => !only || only.includes(c.index))
      .map((c) => resolveIds(c, ids));
    const statuses = new Map<number | null, number>();
    const slowest: Array<[number, string]> = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length && failures.length < 25 && !server.exited()) {
        const c = cases[next++]!;
        const answer = await send(c);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        slowest.push([answer.elapsedMs, describeCase(c)]);
        slowest.sort((a, b) => b[0] - a[0]).splice(5);
        const problem = judge(c, answer);
        if (problem) failures.push(`${describeCase(c)}: ${problem}`);
        if (c.index % 200 === 0) {
          const down = await alive();
          if (down) failures.push(`after #${c.index}: ${down}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const exited = server.exited();
    if (exited) expect.fail(`${exited}\n(seed ${SEED}) after: ${failures.slice(-5).join('\n')}`);

    // Control routes that change state, one at a time; whatever they set up is cleared again.
    const control = generateCases(SEED ^ 0xc0, Math.round(COUNT / 10), MUTATING_ROUTES);
    const clear = ['faults', 'fixtures'].map((what) =>
      encodeRequest(
        {
          method: 'DELETE',
          target: `${CONTROL_PREFIX}/${what}`,
          headers: [],
          body: Buffer.alloc(0),
          kind: '',
        },
        'none',
      ),
    );
    for (const c of control) {
      if (failures.length >= 25 || server.exited()) break;
      const answer = await send(c);
      const problem = judge(c, answer);
      if (problem) failures.push(`${describeCase(c)}: ${problem}`);
      if (answer.status !== null && answer.status < 300) for (const request of clear) await send(request);
    }

    // Requests node's parser refuses, then the over-limit bodies.
    const rng = new Rng(SEED);
    for (const m of malformedCases(rng)) {
      const answer = await sendRaw(server.port, m.bytes, Buffer.alloc(0), ANSWER_BOUND_MS);
      let code: unknown;
      try {
        code = JSON.parse(answer.body.toString()).error.code;
      } catch {
        code = undefined;
      }
      if (answer.status !== m.status || typeof code !== 'string') {
        failures.push(`malformed ${m.kind}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
      }
    }
    const overLimit = Buffer.alloc(32 * 1024 * 1024 + 1 + rng.int(1024), 0x61);
    for (const framing of ['length', 'chunked'] as const) {
      for (const target of ['/v1/chat/completions', '/v1/ingest?filename=a.txt']) {
        const request = encodeRequest(
          { method: 'POST', target, headers: [['x-session-id', 'fuzz']], body: overLimit, kind: '' },
          framing,
        );
        const answer = await send(request);
        if (answer.status !== 413) failures.push(`over-limit ${framing} body to ${target}: ${answer.status}`);
      }
    }
    const declared = await send({
      head: Buffer.from(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${2 ** 40}\r\n\r\n`,
      ),
      body: Buffer.from('{}'),
    });
    if (declared.status !== 413) failures.push(`declared 1 TiB body: ${declared.status}`);

    const down = await alive();
    if (down) failures.push(`at the end: ${down}`);
    if (failures.length)
      console.log(
        `fuzz slowest: ${slowest.map(([ms, what]) => `${Math.round(ms)} ms ${what}`).join('\n  ')}`,
      );
    expect(failures, `seed ${SEED}: replay with FUZZ_SEED=${SEED}`).toEqual([]);

    // Memory: once the stores are emptied, the heap after a full GC is back near where it started.
    await send(
      encodeRequest(
        { method: 'POST', target: `${CONTROL_PREFIX}/reset`, headers: [], body: Buffer.alloc(0), kind: '' },
        'length',
      ),
    );
    const after = await server.heap();
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(`fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    console.log(`fuzz slowest: ${slowest.map(([ms, what]) => `${Math.round(ms)} ms ${what}`).join('\n  ')}`);
    console.log(
      `fuzz: ${cases.length + control.length} requests in ${Math.round(performance.now() - started)} ms; heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}, rss ${mb(after.rss)}`,
    );
    expect(after.heapUsed, `heap ${mb(before.heapUsed)} before, ${mb(after.heapUsed)} after`).toBeLessThan(
      before.heapUsed * 1.5 + 32 * 1024 * 1024,
    );
    expect(server.exited()).toBeNull();
  }, 120_000);
});

describe(`fuzz run with agent-token auth (seed ${SEED})`, () => {
  const tokens = [
    'acme-bot-token',
    'acme-ops-token',
    'globex-bot-token',
    'acme-admin-token',
    'control-token',
  ];
  let server: ServerChild;

  beforeAll(async () => {
    const script = await serverScript();
    server = await startChild(script, {
      controlToken: 'control-token',
      auth: {
        agentTokens: [
          { token: 'acme-bot-token', tenant: 'acme', agent: 'bot' },
          { token: 'acme-ops-token', tenant: 'acme', agent: 'ops:bot' },
          { token: 'globex-bot-token', tenant: 'globex', agent: 'bot' },
        ],
        adminTokens: [{ token: 'acme-admin-token', tenant: 'acme' }],
      },
    });
  }, 60_000);

  afterAll(async () => {
    server?.child.kill();
  });

  it('answers every request with a typed error or success, as every identity', async () => {
    const failures: string[] = [];
    const cases = generateCases(
      SEED ^ 0xa117,
      Math.round(COUNT / 4),
      [...ROUTES, ...MUTATING_ROUTES],
      tokens,
    ).map((c) => resolveIds(c, []));
    const clear = ['faults', 'fixtures'].map(
      (what) =>
        encodeRequest(
          {
            method: 'DELETE',
            target: `${CONTROL_PREFIX}/${what}`,
            headers: [['authorization', 'Bearer control-token']],
            body: Buffer.alloc(0),
            kind: '',
          },
          'none',
        ).head,
    );
    const statuses = new Map<number | null, number>();
    // One at a time: control routes are in the mix, and a fault or fixture one adds is undone before
    // the next case is sent.
    for (const c of cases) {
      if (failures.length >= 25 || server.exited()) break;
      const answer = await sendRaw(server.port, c.head, c.body, ANSWER_BOUND_MS + 1_000);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problem = judge(c, answer);
      if (problem) failures.push(`${describeCase(c)}: ${problem}`);
      if (c.target.includes(CONTROL_PREFIX) && answer.status !== null && answer.status < 300) {
        for (const head of clear) await sendRaw(server.port, head, Buffer.alloc(0), ANSWER_BOUND_MS);
      }
    }
    const health = await sendRaw(
      server.port,
      encodeRequest(
        { method: 'GET', target: '/health', headers: [], body: Buffer.alloc(0), kind: '' },
        'none',
      ).head,
      Buffer.alloc(0),
      ANSWER_BOUND_MS,
    );
    console.log(`fuzz (auth) statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(server.exited()).toBeNull();
    expect(health.status).toBe(200);
    expect(failures, `seed ${SEED}: replay with FUZZ_SEED=${SEED}`).toEqual([]);
  }, 120_000);
});

/** The other dialects, each with the auth its servers use; fewer cases each, same checks on any shape. */
describe.each([
  ['ice', {}],
  ['spice', { auth: { apiKeys: ['sk-fuzz-key'] } }],
  ['openai', {}],
  ['ingram', { auth: { agentTokens: [{ token: 'ingram-bot-token', tenant: 'acme', agent: 'bot' }] } }],
] as const)('fuzz run in the %s dialect', (dialect, extra) => {
  let server: ServerChild;

  beforeAll(async () => {
    const script = await serverScript();
    server = await startChild(script, { dialect, ...extra });
  }, 60_000);

  afterAll(async () => {
    server?.child.kill();
  });

  it('answers every request in its own error shape, never a 5xx, in bounded time', async () => {
    const failures: string[] = [];
    const credentials = ['sk-fuzz-key', 'ingram-bot-token'];
    const cases = generateCases(SEED ^ dialect.length, Math.round(COUNT / 10), ROUTES, credentials).map((c) =>
      resolveIds(c, []),
    );
    let next = 0;
    const worker = async () => {
      while (next < cases.length && failures.length < 25 && !server.exited()) {
        const c = cases[next++]!;
        const problem = judge(c, await sendRaw(server.port, c.head, c.body, ANSWER_BOUND_MS + 1_000), true);
        if (problem) failures.push(`${describeCase(c)}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(server.exited()).toBeNull();
    expect(failures, `seed ${SEED}: replay with FUZZ_SEED=${SEED}`).toEqual([]);
  }, 120_000);
});
