import { CONTROL_PREFIX } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCases, resolveIds } from './support/fuzz';
import { encodeRequest, sendRaw } from './support/fuzz-http';
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

/** The fuzz cases of fuzz.test.ts sent with credentials (agent-token auth) and in the other dialects. */

afterAll(() => releaseServerScript());

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
