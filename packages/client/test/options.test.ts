import { DIALECTS } from '@threadline/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Threadline, ThreadlineChat, ThreadlineError } from '../src/index';
import { mswServer, user } from './support/server';

describe('options, dialect headers and per-call overrides', () => {
  let ref: ReturnType<typeof mswServer>;
  beforeAll(() => {
    ref = mswServer();
  });
  afterAll(() => ref.close());
  beforeEach(() => ref.server.reset());

  const lastRequest = () => ref.server.journal.list().at(-1)!;

  it('sends memory scope, identity and version pin in the headers the dialect names', async () => {
    const client = new Threadline({
      baseURL: ref.url,
      sessionId: 'project-alpha',
      userId: 'alice',
      threadId: 'thread-9',
      agentId: 'smt_helper',
      apiVersion: '2026-05-01',
    });
    await client.chat.completions.create({ model: '', messages: user('scoped') });
    const table = DIALECTS.threadline;
    const headers = lastRequest().headers;
    expect(headers[table.memory.sessionHeader!]).toBe('project-alpha');
    expect(headers[table.memory.userHeader!]).toBe('alice');
    expect(headers[table.memory.threadHeader!]).toBe('thread-9');
    expect(headers[table.identity.agentHeader!]).toBe('smt_helper');
    expect(headers[table.versionHeader!]).toBe('2026-05-01');
  });

  it('puts `user` in the body unless the call sets its own', async () => {
    const client = new Threadline({ baseURL: ref.url, user: 'ext-agent-7' });
    await client.chat.completions.create({ model: '', messages: user('a') });
    expect(lastRequest().body).toMatchObject({ user: 'ext-agent-7' });
    await client.chat.completions.create({ model: '', messages: user('b'), user: 'explicit' });
    expect(lastRequest().body).toMatchObject({ user: 'explicit' });
  });

  it('refuses, before sending, a scope the dialect has no header for', async () => {
    const spice = new Threadline({ baseURL: ref.url, dialect: 'spice', sessionId: 's1' });
    await expect(spice.chat.completions.create({ model: '', messages: user('x') })).rejects.toThrow(
      /spice dialect has no header for `sessionId`/,
    );
    const ice = new Threadline({ baseURL: ref.url, dialect: 'ice' });
    await expect(ice.models.list({ threadId: 't' })).rejects.toBeInstanceOf(ThreadlineError);
    expect(ref.server.journal.list()).toHaveLength(0);
  });

  it('withOptions() clones per user or session without touching the original', async () => {
    const base = new Threadline({
      baseURL: ref.url,
      sessionId: 'shared',
      defaultHeaders: { 'x-app': 'demo' },
    });
    const alice = base.withOptions({ userId: 'alice', defaultHeaders: { 'x-tenant': 'acme' } });
    expect(alice).toBeInstanceOf(Threadline);
    expect(alice).not.toBe(base);
    await alice.chat.completions.create({ model: '', messages: user('hi') });
    expect(lastRequest().headers).toMatchObject({
      'x-session-id': 'shared',
      'x-user-id': 'alice',
      'x-app': 'demo',
      'x-tenant': 'acme',
    });
    await base.chat.completions.create({ model: '', messages: user('hi') });
    expect(lastRequest().headers['x-user-id']).toBeUndefined();
    expect(lastRequest().headers['x-tenant']).toBeUndefined();
    const chatOnly = new ThreadlineChat({ baseURL: ref.url }).withOptions({ sessionId: 'x' });
    expect(chatOnly).toBeInstanceOf(ThreadlineChat);
    expect(chatOnly).not.toBeInstanceOf(Threadline);
  });

  it('every option also works per call; null unsets a client-wide scope and a header', async () => {
    const client = new Threadline({
      baseURL: ref.url,
      sessionId: 'wide',
      defaultHeaders: { 'x-app': 'demo' },
    });
    await client.chat.completions.create(
      { model: '', messages: user('x') },
      { sessionId: null, userId: 'bob', headers: { 'x-app': null, 'x-call': '1' } },
    );
    const headers = lastRequest().headers;
    expect(headers['x-session-id']).toBeUndefined();
    expect(headers['x-user-id']).toBe('bob');
    expect(headers['x-app']).toBeUndefined();
    expect(headers['x-call']).toBe('1');
    await client.chat.completions.create(
      { model: '', messages: user('y') },
      { baseURL: 'http://threadline.test/v1', dialect: 'ice' },
    );
    expect(lastRequest().headers['x-session-id']).toBe('wide');
  });

  it('takes the API key from a function, once per call', async () => {
    let calls = 0;
    const sent: (string | null)[] = [];
    // Read off the wire: the server's journal masks credentials.
    const recording: typeof fetch = (input, init) => {
      sent.push(new Headers(init?.headers).get('authorization'));
      return fetch(input, init);
    };
    const client = new Threadline({
      baseURL: ref.url,
      apiKey: async () => `key-${++calls}`,
      fetch: recording,
    });
    await client.models.list();
    await client.models.list();
    expect(calls).toBe(2);
    expect(sent).toEqual(['Bearer key-1', 'Bearer key-2']);
  });

  it('rejects bad options with clear typed errors', () => {
    expect(() => new Threadline({})).toThrow(/baseURL is required/);
    expect(() => new Threadline({ baseURL: 'ftp://x' })).toThrow(/http\(s\) URL/);
    expect(() => new Threadline({ baseURL: ref.url, timeout: -1 })).toThrow(ThreadlineError);
    expect(() => new Threadline({ baseURL: ref.url, maxRetries: 1.5 })).toThrow(/whole number/);
    expect(() => new Threadline({ baseURL: ref.url, dialect: 'acme' as never })).toThrow(
      /unknown dialect "acme": use one of threadline, ice, ingram, spice, openai/,
    );
  });

  it('reads THREADLINE_BASE_URL and THREADLINE_API_KEY from the environment', async () => {
    process.env.THREADLINE_BASE_URL = `${ref.url}/v1`;
    process.env.THREADLINE_API_KEY = 'env-key-123456';
    try {
      const client = new Threadline();
      expect(client.options.baseURL).toBe(ref.url);
      await client.models.list();
      expect(lastRequest().headers.authorization).toMatch(/^Bearer env-/);
    } finally {
      delete process.env.THREADLINE_BASE_URL;
      delete process.env.THREADLINE_API_KEY;
    }
  });

  it('uses a custom fetch', async () => {
    const seen: string[] = [];
    const client = new Threadline({
      baseURL: ref.url,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    await client.health();
    expect(seen).toEqual([`${ref.url}/health`]);
  });
});
