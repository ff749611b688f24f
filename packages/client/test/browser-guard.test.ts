import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAgentScopedToken, Threadline, ThreadlineError } from '../src/index';
import { mswServer } from './support/server';

const jwt = (payload: object) =>
  `${['{"alg":"none"}', JSON.stringify(payload)].map((part) => Buffer.from(part).toString('base64url')).join('.')}.sig`;
const agentToken = jwt({ sub: 'acme:helper', scope: 'chat' });
const adminToken = 'tenant-admin-acme-0123456789';

describe('the browser guard (page globals simulated; chromium runs the real thing in browser.test.ts)', () => {
  let ref: ReturnType<typeof mswServer>;
  beforeAll(() => {
    ref = mswServer();
  });
  afterAll(() => ref.close());
  beforeEach(() => {
    ref.server.reset();
    (globalThis as { window?: unknown }).window = { document: {} };
  });
  afterEach(() => {
    delete (globalThis as { window?: unknown }).window;
  });

  it('refuses a key that is not agent-scoped', () => {
    expect(() => new Threadline({ baseURL: ref.url, apiKey: adminToken })).toThrow(ThreadlineError);
    expect(() => new Threadline({ baseURL: ref.url, apiKey: jwt({ sub: 'acme' }) })).toThrow(
      /dangerouslyAllowBrowser/,
    );
  });

  it('accepts an agent-scoped token, no key at all, or an explicit dangerouslyAllowBrowser', async () => {
    await new Threadline({ baseURL: ref.url, apiKey: agentToken }).health();
    await new Threadline({ baseURL: ref.url }).health();
    await new Threadline({ baseURL: ref.url, apiKey: adminToken, dangerouslyAllowBrowser: true }).health();
    expect(ref.server.journal.list()).toHaveLength(3);
  });

  it('checks a key from a function before sending anything', async () => {
    const client = new Threadline({ baseURL: ref.url, apiKey: async () => adminToken });
    await expect(client.models.list()).rejects.toBeInstanceOf(ThreadlineError);
    expect(ref.server.journal.list()).toHaveLength(0);
  });

  it('is not in the way outside a browser', () => {
    delete (globalThis as { window?: unknown }).window;
    expect(() => new Threadline({ baseURL: ref.url, apiKey: adminToken })).not.toThrow();
  });

  it('recognises agent-scoped tokens by their subject', () => {
    expect(isAgentScopedToken(agentToken)).toBe(true);
    expect(isAgentScopedToken(jwt({ sub: 'acme' }))).toBe(false);
    expect(isAgentScopedToken(jwt({ sub: 'a:b:c' }))).toBe(false);
    expect(isAgentScopedToken('not.a.jwt')).toBe(false);
    expect(isAgentScopedToken(adminToken)).toBe(false);
  });
});
