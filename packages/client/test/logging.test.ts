import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, InternalServerError, Threadline } from '../src/index';
import { captureLogger, mswServer, user } from './support/server';

const SECRET = 'sk-live-THIS-MUST-NEVER-LEAK-0123456789';

describe('logging never prints secrets', () => {
  let ref: ReturnType<typeof mswServer>;
  beforeAll(() => {
    ref = mswServer({ auth: { mode: 'api-key', apiKeys: [SECRET] } });
  });
  afterAll(() => ref.close());
  beforeEach(() => ref.server.reset());

  it('logs requests, responses and retries at debug, with credentials and cookies masked', async () => {
    const log = captureLogger();
    const client = new Threadline({
      baseURL: ref.url,
      apiKey: SECRET,
      logLevel: 'debug',
      logger: log.logger,
      defaultHeaders: { cookie: 'session=abc123secretcookie', 'x-agent-token': 'agent-token-secret-999' },
    });
    ref.server.faults.enqueue('status=503', 1);
    await client.chat.completions.create({ model: '', messages: user('log me') });
    const text = log.text();
    expect(text).toMatch(/debug \[threadline\] request/);
    expect(text).toMatch(/"status":503/);
    expect(text).toMatch(/info \[threadline\] retrying/);
    expect(text).toMatch(/"authorization":"\*\*\*"/);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('abc123secretcookie');
    expect(text).not.toContain('agent-token-secret-999');
  });

  it('logs nothing at the default level for a successful call, and nothing at all when off', async () => {
    const quiet = captureLogger();
    await new Threadline({ baseURL: ref.url, apiKey: SECRET, logger: quiet.logger }).models.list();
    expect(quiet.lines).toEqual([]);
    const off = captureLogger();
    ref.server.faults.enqueue('status=500', 1);
    await new Threadline({
      baseURL: ref.url,
      apiKey: SECRET,
      logger: off.logger,
      logLevel: 'off',
    }).models.list();
    expect(off.lines).toEqual([]);
  });

  it('info logs retries but not the per-request debug lines', async () => {
    const log = captureLogger();
    const client = new Threadline({ baseURL: ref.url, apiKey: SECRET, logLevel: 'info', logger: log.logger });
    ref.server.faults.enqueue('status=503; should-retry=true', 1);
    await client.models.list();
    expect(log.lines.some((line) => line.startsWith('info [threadline] retrying'))).toBe(true);
    expect(log.lines.filter((line) => line.startsWith('debug'))).toEqual([]);
  });

  it('keeps a credential the server echoes back out of error messages, bodies and headers', async () => {
    ref.server.fixtures.add({
      match: { userText: 'echo my key' },
      reply: {
        error: {
          status: 401,
          body: {
            error: {
              message: `Invalid API key: ${SECRET} (Bearer ${SECRET})`,
              type: 'authentication_error',
              code: 'invalid_api_key',
            },
          },
          headers: { 'set-cookie': 'sid=server-session-cookie' },
        },
      },
    });
    const client = new Threadline({ baseURL: ref.url, apiKey: SECRET });
    const error = await client.chat.completions
      .create({ model: '', messages: user('echo my key') })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/Invalid API key: \*\*\*/);
    const everything = JSON.stringify({
      message: error.message,
      stack: error.stack,
      body: error.error,
      headers: [...(error.headers as Headers).entries()],
    });
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('server-session-cookie');
  });

  it('keeps a credential echoed in a stream error frame out of the thrown error', async () => {
    ref.server.fixtures.add({
      match: { userText: 'echo it mid-stream' },
      reply: {
        error: {
          status: 500,
          afterChunks: 1,
          body: { error: { message: `upstream refused ${SECRET}`, type: 'server_error', code: 'echo' } },
        },
      },
    });
    const log = captureLogger();
    const client = new Threadline({
      baseURL: ref.url,
      apiKey: SECRET,
      logger: log.logger,
      logLevel: 'debug',
    });
    const stream = await client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('echo it mid-stream'),
    });
    const error = await stream.finalCompletion().catch((e) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ code: 'echo', message: '500 upstream refused ***' });
    const everything = JSON.stringify({ message: error.message, stack: error.stack, body: error.error });
    expect(everything).not.toContain(SECRET);
    expect(log.text()).not.toContain(SECRET);
  });

  it('a wrong key is a typed 401 without the key in it', async () => {
    const wrong = 'sk-wrong-key-abcdefghijkl';
    const client = new Threadline({ baseURL: ref.url, apiKey: wrong });
    const error = await client.models.list().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(`${error.message} ${error.stack}`).not.toContain(wrong);
  });
});
