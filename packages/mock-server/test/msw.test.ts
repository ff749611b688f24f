import { handlers } from '@threadline/mock-server/msw';
import { setupServer } from 'msw/node';
import OpenAI, { NotFoundError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';

describe('msw adapter', () => {
  const list = handlers({ fixtures: [{ match: { userText: 'ping' }, reply: { text: 'pong' } }] });
  const custom = createMockServer({ models: ['custom-model'] });
  const mocks = setupServer(...list, ...handlers(custom, { baseUrl: 'https://api.example.test/' }));
  beforeAll(() => mocks.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => list.server.reset());
  afterAll(() => mocks.close());

  it('serves plain fetch at http://threadline.test', async () => {
    const response = await fetch('http://threadline.test/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: '', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('pong');
    expect((await fetch('http://threadline.test/health')).status).toBe(200);
  });

  it('streams to plain fetch', async () => {
    const response = await fetch('http://threadline.test/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ model: '', stream: true, messages: [{ role: 'user', content: 'ping' }] }),
    });
    const text = await response.text();
    expect(text).toContain('"content":"pong"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('serves the openai SDK, JSON, stream and errors', async () => {
    const client = new OpenAI({ baseURL: 'http://threadline.test/v1', apiKey: 'x', maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]!.message.content).toBe('pong');
    const stream = await client.chat.completions.create({
      model: '',
      stream: true,
      messages: [{ role: 'user', content: 'hello msw' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('You said: hello msw');
    await expect(
      client.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('exposes the server behind the handlers for fixtures, faults and the journal', async () => {
    list.server.faults.enqueue('status=503');
    expect((await fetch('http://threadline.test/health')).status).toBe(503);
    expect(list.server.journal.list().at(-1)).toMatchObject({ path: '/health', status: 503 });
  });

  it('serves an existing server at another base URL', async () => {
    const client = new OpenAI({ baseURL: 'https://api.example.test/v1', apiKey: 'x', maxRetries: 0 });
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['custom-model']);
  });
});
