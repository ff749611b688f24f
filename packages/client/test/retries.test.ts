import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIUserAbortError,
  BadRequestError,
  IncompleteStreamError,
  InternalServerError,
  RateLimitError,
  Threadline,
} from '../src/index';
import { captureLogger, mswServer, realServer, user } from './support/server';

describe('retries', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  beforeAll(async () => {
    ref = await realServer();
  });
  afterAll(() => ref.close());
  beforeEach(() => ref.server.reset());

  const chatRequests = () => ref.server.journal.list().filter((e) => e.path === '/v1/chat/completions');
  const retryDelays = (text: string) => [...text.matchAll(/"delayMs":(\d+)/g)].map((m) => Number(m[1]));

  it('retries a 5xx with exponential backoff and jitter, sending one Idempotency-Key on every attempt', async () => {
    const log = captureLogger();
    const client = new Threadline({ baseURL: ref.url, logger: log.logger, logLevel: 'info' });
    ref.server.faults.enqueue('status=500', 2);
    const completion = await client.chat.completions.create({ model: '', messages: user('persist') });
    expect(completion.choices[0]?.message.content).toBe('You said: persist');
    const attempts = chatRequests();
    expect(attempts.map((e) => e.status)).toEqual([500, 500, 200]);
    const keys = new Set(attempts.map((e) => e.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^tl-/);
    const [first, second] = retryDelays(log.text());
    expect(first).toBeGreaterThanOrEqual(375);
    expect(first).toBeLessThanOrEqual(500);
    expect(second).toBeGreaterThanOrEqual(750);
    expect(second).toBeLessThanOrEqual(1000);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
    ref.server.faults.enqueue('status=502', 5);
    await expect(client.chat.completions.create({ model: '', messages: user('x') })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(chatRequests()).toHaveLength(2);
  });

  it.each([408, 409, 429, 503])('retries %i', async (status) => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
    ref.server.faults.enqueue(`status=${status}`, 1);
    await client.chat.completions.create({ model: '', messages: user('x') });
    expect(chatRequests().map((e) => e.status)).toEqual([status, 200]);
  });

  it('does not retry other 4xx', async () => {
    const client = new Threadline({ baseURL: ref.url });
    ref.server.faults.enqueue('status=400', 1);
    await expect(client.chat.completions.create({ model: '', messages: user('x') })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    expect(chatRequests()).toHaveLength(1);
  });

  it('obeys x-should-retry both ways', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
    ref.server.faults.enqueue('status=500; should-retry=false', 1);
    await expect(client.chat.completions.create({ model: '', messages: user('x') })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(chatRequests()).toHaveLength(1);
    ref.server.reset();
    ref.server.faults.enqueue('status=400; should-retry=true', 1);
    await client.chat.completions.create({ model: '', messages: user('x') });
    expect(chatRequests().map((e) => e.status)).toEqual([400, 200]);
  });

  it('never retries an exhausted quota, whatever x-should-retry says', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 3 });
    ref.server.faults.enqueue('quota; should-retry=true', 1);
    const error = await client.chat.completions.create({ model: '', messages: user('x') }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'insufficient_quota' });
    expect(chatRequests()).toHaveLength(1);
  });

  it('waits what retry-after-ms asks, in preference to Retry-After', async () => {
    const log = captureLogger();
    const client = new Threadline({ baseURL: ref.url, logger: log.logger, logLevel: 'info' });
    // The fault sends `retry-after-ms: 300` and `Retry-After: 1` (whole seconds, rounded up).
    ref.server.faults.enqueue('rate-limit=0.3', 1);
    const started = Date.now();
    await client.chat.completions.create({ model: '', messages: user('x') });
    expect(retryDelays(log.text())).toEqual([300]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(chatRequests().map((e) => e.status)).toEqual([429, 200]);
  });

  it('reads Retry-After in seconds', async () => {
    const log = captureLogger();
    const client = new Threadline({ baseURL: ref.url, logger: log.logger, logLevel: 'info' });
    ref.server.fixtures.add({
      match: { userText: 'seconds' },
      reply: { error: { status: 503, headers: { 'retry-after': '1' } } },
      times: 1,
    });
    const started = Date.now();
    await client.chat.completions.create({ model: '', messages: user('seconds') });
    expect(retryDelays(log.text())).toEqual([1000]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const log = captureLogger();
    const client = new Threadline({ baseURL: ref.url, logger: log.logger, logLevel: 'info' });
    const at = new Date(Math.ceil((Date.now() + 2000) / 1000) * 1000);
    ref.server.fixtures.add({
      match: { userText: 'dated' },
      reply: { error: { status: 503, headers: { 'retry-after': at.toUTCString() } } },
      times: 1,
    });
    await client.chat.completions.create({ model: '', messages: user('dated') });
    const [delay] = retryDelays(log.text());
    expect(delay).toBeGreaterThan(900);
    expect(delay).toBeLessThanOrEqual(3000);
  });

  it('throws at once when the server asks to wait longer than maxRetryAfter', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetryAfter: 1000 });
    ref.server.faults.enqueue('rate-limit=30', 1);
    const started = Date.now();
    const error = await client.chat.completions.create({ model: '', messages: user('x') }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(900);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 30_000, code: 'rate_limit_exceeded' });
    expect(chatRequests()).toHaveLength(1);
  });

  it('an abort during the backoff stops at once, without another attempt', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 2 });
    // The server asks for a 1.5 s wait, so "at once" stands far apart from "after the backoff" even on a
    // loaded machine.
    ref.server.faults.enqueue('status=500; rate-limit=1.5', 1);
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.chat.completions
      .create({ model: '', messages: user('x') }, { signal: controller.signal })
      .catch((e) => e);
    setTimeout(() => controller.abort(), 150);
    const error = await pending;
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 1800));
    expect(chatRequests()).toHaveLength(1);
  });

  it('retries a connection error', async () => {
    const gone = await realServer();
    const url = gone.url;
    await gone.close();
    const log = captureLogger();
    const client = new Threadline({ baseURL: url, maxRetries: 1, logger: log.logger, logLevel: 'info' });
    const error = await client.models.list().catch((e) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error.status).toBeUndefined();
    expect(retryDelays(log.text())).toHaveLength(1);
  });

  it('retries a stream that fails before any chunk reached the caller', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
    ref.server.faults.enqueue('drop-after=0', 1);
    const stream = await client.chat.completions.create({ model: '', stream: true, messages: user('again') });
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: again');
    expect(chatRequests()).toHaveLength(2);
    expect(new Set(chatRequests().map((e) => e.headers['idempotency-key'])).size).toBe(1);
  });

  it('retries a retryable error frame that arrives before the first chunk', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
    ref.server.faults.enqueue('error-frame-after=0', 1);
    const stream = await client.chat.completions.create({ model: '', stream: true, messages: user('frame') });
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: frame');
    expect(chatRequests()).toHaveLength(2);
  });

  it('never retries once stream chunks have been handed to the caller', async () => {
    const client = new Threadline({ baseURL: ref.url, maxRetries: 3 });
    ref.server.faults.enqueue('drop-after=2', 4);
    const stream = await client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('a b c d e f g h'),
    });
    let received = 0;
    const error = await (async () => {
      for await (const _ of stream) received++;
    })().catch((e) => e);
    expect(received).toBe(2);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(IncompleteStreamError);
    expect(chatRequests()).toHaveLength(1);
  });

  it('uses the caller’s idempotency key, and a fresh one per call otherwise', async () => {
    const client = new Threadline({ baseURL: ref.url });
    await client.chat.completions.create({ model: '', messages: user('a') }, { idempotencyKey: 'order-42' });
    await client.chat.completions.create({ model: '', messages: user('b') });
    await client.chat.completions.create({ model: '', messages: user('c') });
    const keys = chatRequests().map((e) => e.headers['idempotency-key']);
    expect(keys[0]).toBe('order-42');
    expect(keys[1]).not.toBe(keys[2]);
  });
});

describe('retries in-process (msw)', () => {
  it('retries a stream that ended without [DONE] before its first chunk', async () => {
    // msw ends a body cleanly when the server drops the connection after sending some bytes (here, the
    // first progress event): to the client, a stream that ended early and handed over nothing.
    const ref = mswServer();
    try {
      ref.server.faults.enqueue('drop-after=0', 1);
      const client = new Threadline({ baseURL: ref.url, maxRetries: 1 });
      const stream = await client.chat.completions.create(
        { model: '', stream: true, messages: user('ended early') },
        { progress: true },
      );
      expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: ended early');
      expect(ref.server.journal.list()).toHaveLength(2);
    } finally {
      await ref.close();
    }
  });
});
