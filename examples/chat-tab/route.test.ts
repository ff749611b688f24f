import { start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatTab } from './server';

// The route without a browser: what it refuses, and what a caller that leaves mid-reply does upstream.
describe('the chat tab route', () => {
  let reference: Awaited<ReturnType<typeof start>>;
  let tab: Awaited<ReturnType<typeof startChatTab>>;
  beforeAll(async () => {
    reference = await start({ port: 0, host: '127.0.0.1', chunkDelayMs: 50 });
    tab = await startChatTab({ baseURL: reference.url, script: '/* app */', door: 'chat' });
  });
  afterAll(async () => {
    await tab?.close();
    await reference?.close();
  });

  const user = (text: string) => ({ id: 'u1', role: 'user', parts: [{ type: 'text', text }] });
  const post = (body: unknown, init: RequestInit = {}) =>
    fetch(new URL('/api/chat', tab.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
  const refusal = async (response: Response) => [
    response.status,
    ((await response.json()) as { error: string }).error,
  ];

  it('serves the page and the bundle, and nothing else', async () => {
    const page = await fetch(tab.url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    await expect(fetch(new URL('/app.js', tab.url)).then((r) => r.text())).resolves.toBe('/* app */');
    await expect(fetch(new URL('/etc/passwd', tab.url)).then(refusal)).resolves.toEqual([404, 'not found']);
  });

  it('refuses what a browser should not send, before anything reaches the server', async () => {
    const messages = [user('hello')];
    await expect(post({ messages }).then(refusal)).resolves.toEqual([400, 'bad sessionId']);
    await expect(post({ sessionId: 'a b', messages }).then(refusal)).resolves.toEqual([400, 'bad sessionId']);
    await expect(post({ sessionId: 'x'.repeat(257), messages }).then(refusal)).resolves.toEqual([
      400,
      'bad sessionId',
    ]);
    await expect(post({ sessionId: 's', messages: 'hi' }).then(refusal)).resolves.toEqual([
      400,
      'messages must be an array of at most 200',
    ]);
    await expect(
      post({ sessionId: 's', messages: Array(201).fill(user('hi')) }).then(refusal),
    ).resolves.toEqual([400, 'messages must be an array of at most 200']);
    await expect(post({ sessionId: 's', messages: [{ role: 'robot' }] }).then(refusal)).resolves.toEqual([
      400,
      'messages are not UI messages',
    ]);
    await expect(post('{not json').then(refusal)).resolves.toEqual([400, 'request body is not JSON']);
    const huge = { sessionId: 's', messages: [user('x'.repeat(1024 * 1024))] };
    await expect(post(huge).then(refusal)).resolves.toEqual([413, 'request body too large']);
    expect(reference.server.journal.list()).toEqual([]);
  });

  it('streams a UI message stream, and a caller that leaves mid-reply cancels the run upstream', async () => {
    const leaving = new AbortController();
    const response = await post(
      { sessionId: 'route-test', messages: [user('Tell me about the weather on a long and windy day.')] },
      { signal: leaving.signal },
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    // Leave once the first words arrived, so the upstream turn is surely under way.
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    while (!seen.includes('"type":"text-delta"')) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += value;
    }
    expect(seen).toMatch(/^data: \{"type":"start"\}[\s\S]*"type":"text-delta"/);
    leaving.abort();
    let status = '';
    for (let i = 0; i < 250 && status !== 'cancelled'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const runId = reference.server.journal.list().find((entry) => entry.runId)?.runId;
      if (runId)
        status = ((await (await fetch(`${reference.url}/v1/runs/${runId}`)).json()) as { status: string })
          .status;
    }
    expect(status).toBe('cancelled');
  });
});
