import { DIALECT_NAMES, DIALECTS, type DialectName } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  type ClientOptions,
  NotFoundError,
  RateLimitError,
  Threadline,
  ThreadlineError,
} from '../src/index';
import { realServer, user } from './support/server';

const jwt = (payload: object) =>
  `${['{"alg":"none"}', JSON.stringify(payload)].map((p) => Buffer.from(p).toString('base64url')).join('.')}.sig`;
const agentToken = jwt({ sub: 'acme:smt_helper' });

// Each family's own auth: none (threadline, ice), agent tokens (ingram), API keys (spice, openai).
const SETUP: Record<DialectName, { config: object; apiKey?: string }> = {
  threadline: { config: {} },
  ice: { config: {} },
  ingram: {
    config: {
      auth: {
        agentTokens: [{ token: agentToken, tenant: 'acme', agent: 'smt_helper' }],
        agents: [{ id: 'smt_helper', tenant: 'acme' }],
      },
    },
    apiKey: agentToken,
  },
  spice: { config: {}, apiKey: 'sk-spice-0123456789' },
  openai: { config: {}, apiKey: 'sk-openai-0123456789' },
};

/** Each scope, identity and version option with the dialect-table entry that names its header. */
const OPTIONS = [
  {
    option: 'sessionId',
    value: 'project-alpha',
    header: (d: DialectName) => DIALECTS[d].memory.sessionHeader,
  },
  { option: 'userId', value: 'alice', header: (d: DialectName) => DIALECTS[d].memory.userHeader },
  { option: 'threadId', value: 'thread-9', header: (d: DialectName) => DIALECTS[d].memory.threadHeader },
  { option: 'agentId', value: 'smt_helper', header: (d: DialectName) => DIALECTS[d].identity.agentHeader },
  { option: 'apiVersion', value: '2026-05-01', header: (d: DialectName) => DIALECTS[d].versionHeader },
] as const;

const ALL_HEADERS = new Set(
  DIALECT_NAMES.flatMap((d) => [
    ...OPTIONS.map((o) => o.header(d)),
    DIALECTS[d].progress?.header ?? null,
  ]).filter((h): h is string => h !== null),
);

describe.each(DIALECT_NAMES)('the %s dialect against a server emulating it (real port)', (dialect) => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let client: Threadline;
  const table = DIALECTS[dialect];
  const supported = OPTIONS.filter((o) => o.header(dialect) !== null);
  const missing = OPTIONS.filter((o) => o.header(dialect) === null);

  beforeAll(async () => {
    ref = await realServer({ dialect, ...SETUP[dialect].config } as never);
    const options: ClientOptions = { baseURL: ref.url, dialect, maxRetries: 0 };
    if (SETUP[dialect].apiKey) options.apiKey = SETUP[dialect].apiKey;
    client = new Threadline(options);
  });
  afterAll(() => ref.close());

  it('sends every option the family has a header for, under that name, and no other family’s headers', async () => {
    ref.server.reset();
    const scoped = client.withOptions(Object.fromEntries(supported.map((o) => [o.option, o.value])));
    const wantsProgress = table.progress !== null;
    const stream = await scoped.chat.completions.create(
      { model: '', stream: true, messages: user('headers please') },
      wantsProgress ? { progress: true } : {},
    );
    await stream.finalCompletion();
    const seen = ref.server.journal.list().at(-1)!.headers;
    const expected: Record<string, string> = {};
    for (const o of supported) expected[o.header(dialect)!.toLowerCase()] = o.value;
    if (table.progress) expected[table.progress.header.toLowerCase()] = table.progress.enabledValue;
    const sent = Object.fromEntries(
      Object.entries(seen).filter(([name]) => [...ALL_HEADERS].some((h) => h.toLowerCase() === name)),
    );
    expect(sent).toEqual(expected);
    expect(seen['idempotency-key']).toMatch(/^tl-/);
  });

  it('refuses, before sending, each option the family has no header for', async () => {
    ref.server.reset();
    for (const o of missing) {
      await expect(
        client.chat.completions.create({ model: '', messages: user('x') }, { [o.option]: o.value }),
      ).rejects.toThrow(new RegExp(`${dialect} dialect has no header for \`${o.option}\``));
    }
    if (!table.progress) {
      await expect(
        client.chat.completions.create({ model: '', stream: true, messages: user('x') }, { progress: true }),
      ).rejects.toBeInstanceOf(ThreadlineError);
    }
    expect(ref.server.journal.list()).toHaveLength(0);
  });

  // Stateless families (spice, openai) have no scope header; the test above shows the client refuses one.
  const scope = table.memory.sessionHeader
    ? { sessionId: `s-${dialect}`, userId: 'alice' }
    : table.memory.threadHeader
      ? { threadId: `t-${dialect}` }
      : null;
  if (scope) {
    it(`keeps memory through ${Object.keys(scope).join(' and ')}`, async () => {
      const scoped = client.withOptions(scope);
      await scoped.chat.completions.create({ model: '', messages: user('My locker code is ZEBRA-42.') });
      const answer = await scoped.chat.completions.create({
        model: '',
        messages: user('What is my locker code?'),
      });
      expect(answer.choices[0]?.message.content).toContain('ZEBRA-42');
      const stranger = await client.chat.completions.create({
        model: '',
        messages: user('What is my locker code?'),
      });
      expect(stranger.choices[0]?.message.content).not.toContain('ZEBRA-42');
    });
  }

  it('parses the family’s error bodies into the same typed errors', async () => {
    ref.server.reset();
    const json = await client.chat.completions
      .create({ model: 'no-such-model', messages: user('x') })
      .catch((e) => e);
    expect(json).toBeInstanceOf(NotFoundError);
    expect(json).toMatchObject({
      status: 404,
      code: 'model_not_found',
      error: { shape: table.modelNotFoundShape },
    });
    const streamed = await client.chat.completions
      .create({ model: 'no-such-model', stream: true, messages: user('x') })
      .catch((e) => e);
    expect(streamed).toBeInstanceOf(NotFoundError);
    expect(streamed).toMatchObject({ code: 'model_not_found' });

    const bad = await client.chat.completions
      .create({ model: '', temperature: 7, messages: user('x') })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: 'temperature', error: { shape: table.errorShape } });

    const limited = await client.models
      .list({ headers: { 'x-threadline-fault': 'rate-limit=30' } })
      .catch((e) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({
      code: 'rate_limit_exceeded',
      retryAfterMs: 30_000,
      error: { shape: table.errorShape },
    });
  });
});
