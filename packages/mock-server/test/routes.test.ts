import { healthSchema, modelListSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, errorOf, frames, TARGETS, type Target, userSays } from './support/target';

describe.each(TARGETS)('models, health, errors, CORS (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it('lists the configured models', async () => {
    const body = modelListSchema.parse(await (await target.fetch('/v1/models')).json());
    expect(body.data.map((m) => m.id)).toEqual(['threadline-mini', 'threadline-large']);
    expect(body.data[0]).toMatchObject({ object: 'model', owned_by: 'threadline' });
    const one = await (await target.fetch('/v1/models/threadline-large')).json();
    expect(one).toMatchObject({ id: 'threadline-large', object: 'model' });
    expect(await errorOf(await target.fetch('/v1/models/gpt-9'))).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('answers an unknown model with 404 JSON, never 200', async () => {
    const response = await chat(target, { model: 'gpt-9', messages: userSays('hi') });
    expect(await errorOf(response)).toMatchObject({
      status: 404,
      type: 'not_found_error',
      param: 'model',
      code: 'model_not_found',
      message: "model 'gpt-9' not found",
    });
    expect(response.headers.get('x-threadline-run-id')).toMatch(/^run_/);
  });

  it('answers an unknown model in a stream with an error frame, then [DONE]', async () => {
    const response = await chat(target, { model: 'gpt-9', stream: true, messages: userSays('hi') });
    const all = await frames(response);
    expect(all.map((f) => f.data)).toHaveLength(2);
    expect(JSON.parse(all[0]!.data)).toEqual({
      error: {
        message: "model 'gpt-9' not found",
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(all[1]!.data).toBe('[DONE]');
    const run = await (await target.fetch(`/v1/runs/${response.headers.get('x-threadline-run-id')}`)).json();
    expect(run).toMatchObject({ status: 'failed', stop_reason: 'error' });
  });

  it('reports health with the four fields', async () => {
    const response = await target.fetch('/health');
    expect(response.status).toBe(200);
    expect(healthSchema.parse(await response.json())).toEqual({
      status: 'online',
      engine: 'Threadline reference server',
      ledger_status: 'connected',
      cache_status: 'connected',
      // How full each bounded in-memory store is (hardening-memory.test.ts checks the numbers).
      stores: expect.objectContaining({
        runs: expect.objectContaining({ count: expect.any(Number), maxBytes: expect.any(Number) }),
        journal: expect.objectContaining({ evicted: 0 }),
      }),
    });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await target.fetch('/v1/chat/completions', { method: 'POST', body: '{"messages": [' });
    expect(await errorOf(response)).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_json',
    });
    const empty = await target.fetch('/v1/chat/completions', { method: 'POST' });
    expect(await errorOf(empty)).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('reads a JSON body that starts with a UTF-8 byte order mark (as some editors save it)', async () => {
    const json = new TextEncoder().encode(JSON.stringify({ messages: userSays('bom') }));
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...json]);
    const response = await target.fetch('/v1/chat/completions', { method: 'POST', body });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('You said: bom');
  });

  it('answers an unknown route with 404 JSON and a wrong method with 405 JSON', async () => {
    expect(await errorOf(await target.fetch('/v1/nothing-here'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const wrong = await target.fetch('/v1/chat/completions');
    expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
    expect(await errorOf(wrong)).toMatchObject({ status: 405, code: 'method_not_allowed' });
  });

  it('puts x-request-id on every answer, and CORS headers on every answer to a request with an Origin', async () => {
    const origin = { origin: 'http://localhost:5173' };
    for (const [response, cors] of [
      [await target.fetch('/health', { headers: origin }), true],
      [await target.fetch('/nope', { headers: origin }), true],
      [await chat(target, { messages: userSays('hi') }, origin), true],
      [await chat(target, { messages: userSays('hi'), stream: true }, origin), true],
      [await target.fetch('/health'), false],
      [await chat(target, { messages: userSays('hi') }), false],
      [await chat(target, { messages: userSays('hi'), stream: true }), false],
    ] as const) {
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(response.headers.get('access-control-allow-origin')).toBe(cors ? '*' : null);
      if (cors)
        expect(response.headers.get('access-control-expose-headers')).toContain('x-threadline-run-id');
      else expect(response.headers.get('access-control-expose-headers')).toBeNull();
      await response.arrayBuffer();
    }
    // A cacheable answer depends on whether the request had an Origin, and says so.
    expect((await target.fetch('/v1/models')).headers.get('vary')).toBe('origin');
    expect((await target.fetch('/v1/models', { headers: origin })).headers.get('vary')).toBe('origin');
    const echoed = await target.fetch('/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-123');
  });

  it('answers a CORS preflight for the headers the dialects use', async () => {
    const response = await target.fetch('/v1/chat/completions', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-session-id, ic-smith-id',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-session-id, ic-smith-id',
    );
    const bare = await target.fetch('/v1/models', { method: 'OPTIONS' });
    expect(bare.headers.get('access-control-allow-headers')).toContain('x-spiceai-completion-progress');
  });
});

describe.each(TARGETS)('dialect error shapes (%s)', (_name, make) => {
  let spice: Target;
  beforeAll(async () => {
    spice = await make({ dialect: 'spice', auth: { mode: 'none' } });
  });
  afterAll(() => spice.close());

  it('sends Spice errors flat, and its unknown model as a bare string', async () => {
    const flat = await chat(spice, { messages: userSays('x'), temperature: 9 });
    expect(flat.status).toBe(400);
    expect(await flat.json()).toEqual({
      message: expect.stringContaining('temperature'),
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_value',
    });
    const missing = await chat(spice, { model: 'gpt-5', messages: userSays('x') });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "model 'gpt-5' not found" });
    const streamed = await frames(
      await chat(spice, { model: 'gpt-5', stream: true, messages: userSays('x') }),
    );
    expect(streamed.map((f) => f.data)).toEqual(['{"error":"model \'gpt-5\' not found"}', '[DONE]']);
  });
});
