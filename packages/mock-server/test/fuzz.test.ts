import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_PREFIX } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { generateCases, resolveIds } from './support/fuzz';
import { encodeRequest, malformedCases, sendRaw } from './support/fuzz-http';
import {
  ANSWER_BOUND_MS,
  CONCURRENCY,
  COUNT,
  describeCase,
  judge,
  MUTATING_ROUTES,
  ROUTES,
  releaseServerScript,
  SEED,
  type ServerChild,
  serverScript,
  startChild,
} from './support/fuzz-run';
import { Rng, storingChat } from './support/fuzz-values';

/**
 * A seeded, bounded fuzz run over every route, against the reference server in a child process (so a
 * crash or an out-of-memory abort is seen as an exit, and its heap can be measured after a full GC).
 * Replay a failure with FUZZ_SEED=<seed> (FUZZ_COUNT=<n> for a longer run, FUZZ_ONLY=<i,j> for some
 * cases); fuzz-identities.test.ts runs the same cases as other identities and dialects.
 */

afterAll(() => releaseServerScript());

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
