import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientOptions, type RequestOptions, Threadline } from '../src/index';
import { captureLogger, realServer, user } from './support/server';

const adminToken = 'tenant-admin-acme-0123456789';
const deadURL = 'http://127.0.0.1:9';

let ref: Awaited<ReturnType<typeof realServer>>;

interface Case {
  option: keyof ClientOptions;
  /** Fresh option values for one run, and what to read afterwards (a spy's count). */
  make: () => { options: ClientOptions; probe?: () => unknown };
  /** Options every run of the case has (client-wide), with or without the one under test. */
  base?: ClientOptions;
  stream?: boolean;
  /** Prepares the server (queued faults) or the environment; returns the cleanup. */
  before?: (server: typeof ref.server) => (() => void) | undefined;
}

const header = (option: keyof ClientOptions, value: string): Case => ({
  option,
  make: () => ({ options: { [option]: value } }),
});

// Every option of `new Threadline(options)`; the per-call-only ones (signal, headers, idempotencyKey,
// progress, onProgress) have their own tests.
const CASES: Case[] = [
  {
    option: 'baseURL',
    base: { baseURL: deadURL, maxRetries: 0 },
    make: () => ({ options: { baseURL: `${ref.url}/v1` } }),
  },
  header('apiKey', 'sk-per-call-0123456789'),
  { option: 'dialect', base: { apiVersion: '2026-05-01' }, make: () => ({ options: { dialect: 'ice' } }) },
  header('sessionId', 'project-alpha'),
  header('userId', 'alice'),
  header('threadId', 'thread-9'),
  header('agentId', 'smt_helper'),
  header('user', 'ext-agent-7'),
  header('apiVersion', '2026-05-01'),
  {
    option: 'timeout',
    base: { maxRetries: 0, defaultHeaders: { 'x-threadline-fault': 'latency=600' } },
    make: () => ({ options: { timeout: 100 } }),
  },
  {
    option: 'maxRetries',
    before: (server) => void server.faults.enqueue('status=500', 1),
    make: () => ({ options: { maxRetries: 0 } }),
  },
  {
    option: 'maxRetryAfter',
    before: (server) => void server.faults.enqueue('rate-limit=0.2', 1),
    make: () => ({ options: { maxRetryAfter: 100 } }),
  },
  {
    option: 'streamIdleTimeout',
    stream: true,
    base: { maxRetries: 0, defaultHeaders: { 'x-threadline-chunk-delay': '120' } },
    make: () => ({ options: { streamIdleTimeout: 40 } }),
  },
  { option: 'defaultHeaders', make: () => ({ options: { defaultHeaders: { 'x-app': 'demo' } } }) },
  {
    option: 'fetch',
    make: () => {
      let calls = 0;
      const counting: typeof fetch = (input, init) => {
        calls++;
        return fetch(input, init);
      };
      return { options: { fetch: counting }, probe: () => calls };
    },
  },
  {
    option: 'logger',
    make: () => {
      const log = captureLogger();
      return { options: { logger: log.logger, logLevel: 'debug' }, probe: () => log.lines.length > 0 };
    },
  },
  {
    option: 'dangerouslyAllowBrowser',
    base: { apiKey: async () => adminToken },
    before: () => {
      (globalThis as { window?: unknown }).window = { document: {} };
      return () => delete (globalThis as { window?: unknown }).window;
    },
    make: () => ({ options: { dangerouslyAllowBrowser: true } }),
  },
];

describe('every client option also works per call, with the same effect (real port)', () => {
  beforeAll(async () => {
    ref = await realServer();
  });
  afterAll(() => ref.close());

  /** What one call did: its outcome and the request the server saw (minus the per-call random key). */
  async function observe(c: Case, clientOptions: ClientOptions, callOptions?: RequestOptions) {
    ref.server.reset();
    const cleanup = c.before?.(ref.server);
    try {
      const client = new Threadline({ baseURL: ref.url, ...c.base, ...clientOptions });
      let outcome = 'ok';
      try {
        if (c.stream) {
          const stream = await client.chat.completions.create(
            { model: '', stream: true, messages: user('per call') },
            callOptions,
          );
          await stream.finalCompletion();
        } else {
          await client.chat.completions.create({ model: '', messages: user('per call') }, callOptions);
        }
      } catch (error) {
        outcome = (error as Error).name;
      }
      // A timed-out call left while the server held it; the server journals it once it notices.
      if (outcome === 'APIConnectionTimeoutError') {
        await expect.poll(() => ref.server.journal.list().length).toBe(1);
      }
      const entry = ref.server.journal.list().at(-1);
      const { 'idempotency-key': _key, ...headers } = entry?.headers ?? {};
      return { outcome, headers, body: entry?.body ?? null, requests: ref.server.journal.list().length };
    } finally {
      cleanup?.();
    }
  }

  it.each(CASES)('$option', async (c) => {
    const baseline = await observe(c, {});
    const wide = c.make();
    const onClient = { ...(await observe(c, wide.options)), probe: wide.probe?.() };
    const call = c.make();
    const perCall = { ...(await observe(c, {}, call.options)), probe: call.probe?.() };
    expect(perCall).toEqual(onClient);
    const unused = c.make();
    expect({ ...baseline, probe: unused.probe?.() }).not.toEqual(onClient);
  });
});
