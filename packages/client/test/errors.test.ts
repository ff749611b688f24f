import { describe, expect, it } from 'vitest';
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  IncompleteStreamError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  PayloadTooLargeError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  Threadline,
  ThreadlineError,
  UnprocessableEntityError,
} from '../src/index';
import { realServer, user, useServer } from './support/server';

const fault = (spec: string) => ({ headers: { 'x-threadline-fault': spec }, maxRetries: 0 });

describe('one error tree for every failure', () => {
  const ref = useServer();

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [402, PaymentRequiredError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ])('HTTP %i → %o with status, code, type and request id', async (status, Class) => {
    const error = await ref.client.chat.completions
      .create({ model: '', messages: user('fail') }, fault(`status=${status}; code=custom_code`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(ThreadlineError);
    const api = error as APIError;
    expect(api.status).toBe(status);
    expect(api.code).toBe('custom_code');
    expect(api.type).toEqual(expect.any(String));
    expect(api.requestId).toBe(ref.server.journal.list().at(-1)?.requestId);
    expect(api.message).toMatch(new RegExp(`^${status} `));
    expect(api.name).toBe(Class.name);
  });

  it('a real validation error carries its param', async () => {
    const error = await ref.client.chat.completions
      .create({ model: '', temperature: 7, messages: user('hot') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'temperature' });
  });

  it('an unknown model is NotFoundError, streamed or not — never an empty success', async () => {
    const json = await ref.client.chat.completions
      .create({ model: 'gpt-9', messages: user('x') })
      .catch((e) => e);
    expect(json).toBeInstanceOf(NotFoundError);
    expect(json).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    // The stream opens 200 and carries an error frame: create() still rejects with the same class.
    const streamed = await ref.client.chat.completions
      .create({ model: 'gpt-9', stream: true, messages: user('x') })
      .catch((e) => e);
    expect(streamed).toBeInstanceOf(NotFoundError);
    expect(streamed).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('an error frame in the middle of a stream is thrown from the iterator after the chunks before it', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('one two three four five six') },
      fault('error-frame-after=2'),
    );
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).error?.shape).toBe('nested');
    await expect(stream.finalCompletion()).rejects.toBe(error);
  });

  it('a stream that ends without [DONE] throws IncompleteStreamError', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('cut me short') },
      fault('no-done'),
    );
    const error = await stream.finalCompletion().catch((e) => e);
    expect(error).toBeInstanceOf(IncompleteStreamError);
    expect((error as Error).message).toMatch(/without \[DONE\]/);
  });

  it('a chunk that is not JSON throws MalformedResponseError', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('garble the third chunk please now') },
      fault('malformed-chunk-after=2'),
    );
    let count = 0;
    const error = await (async () => {
      for await (const _ of stream) count++;
    })().catch((e) => e);
    expect(count).toBe(2);
    expect(error).toBeInstanceOf(MalformedResponseError);
  });

  it('a stream sent with the wrong content type is still read', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('odd header') },
      fault('wrong-content-type'),
    );
    expect(stream.response.headers.get('content-type')).toMatch(/json/);
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: odd header');
  });
});

describe('every dialect error shape parses into the same tree', () => {
  it('Spice: a flat body for API errors and a bare string for an unknown model', async () => {
    const ref = await realServer({ dialect: 'spice', auth: { mode: 'api-key', apiKeys: ['sk-spice-good'] } });
    try {
      const bad = new Threadline({
        baseURL: ref.url,
        dialect: 'spice',
        apiKey: 'sk-spice-wrong',
        maxRetries: 0,
      });
      const auth = await bad.models.list().catch((e) => e);
      expect(auth).toBeInstanceOf(AuthenticationError);
      expect(auth).toMatchObject({ status: 401, code: 'invalid_api_key', error: { shape: 'flat' } });

      const good = new Threadline({ baseURL: ref.url, dialect: 'spice', apiKey: 'sk-spice-good' });
      const missing = await good.chat.completions
        .create({ model: 'gpt-5', messages: user('x') })
        .catch((e) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toMatchObject({
        status: 404,
        code: 'model_not_found',
        param: 'model',
        message: "404 model 'gpt-5' not found",
        error: { shape: 'string' },
      });
    } finally {
      await ref.close();
    }
  });

  it('Ingram Cloud: a tenant-admin token that names no agent is 400 smith_unresolved', async () => {
    const ref = await realServer({
      dialect: 'ingram',
      auth: { mode: 'agent-token', adminTokens: [{ token: 'admin-token-acme', tenant: 'acme' }] },
    });
    try {
      const client = new Threadline({ baseURL: ref.url, dialect: 'ingram', apiKey: 'admin-token-acme' });
      const error = await client.chat.completions.create({ model: '', messages: user('x') }).catch((e) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ code: 'smith_unresolved', error: { shape: 'nested' } });
    } finally {
      await ref.close();
    }
  });
});
