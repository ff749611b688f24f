import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI, { NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, listening, runProcess } from './support/cli';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// Bun from the `bun` npm package, aliased `bun1` (pnpm reserves the name `bun` for package managers).
const BUN = here('../node_modules/bun1/bin/bun.exe');

// The server core is `fetch(Request) → Response`: behind Bun.serve it must behave as behind node:http.
describe('the reference server under Bun (Bun.serve, web-standard core only)', () => {
  let bun: CliRun;
  let url: string;
  let client: OpenAI;
  beforeAll(async () => {
    expect(existsSync(BUN), `${BUN} (install dev dependencies)`).toBe(true);
    bun = runProcess(BUN, ['--conditions=@threadline/source', here('fixtures/bun-serve.ts')]);
    url = await listening(bun);
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterAll(async () => {
    bun.child.kill('SIGTERM');
    await bun.exit;
  });

  it('answers JSON and a stream with usage, as over node:http', async () => {
    const json = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: 'hello from bun' }],
    });
    expect(json.choices[0]?.message.content).toBe('You said: hello from bun');

    const stream = await client.chat.completions.create({
      model: '',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hello from bun' }],
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('You said: hello from bun');
    expect(total).toBe(json.usage?.total_tokens);
  });

  it('raises an unknown model as a typed 404', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('cancels the run when the client leaves mid-stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-threadline-chunk-delay': '50' },
      body: JSON.stringify({
        model: '',
        stream: true,
        messages: [{ role: 'user', content: 'a b c d e f g h' }],
      }),
      signal: controller.signal,
    });
    const runId = response.headers.get('x-threadline-run-id');
    expect(runId).toMatch(/^run_/);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
    const status = async () =>
      ((await (await fetch(`${url}/v1/runs/${runId}`)).json()) as { status: string }).status;
    await expect.poll(status, { timeout: 3000 }).toBe('cancelled');
  });
});
