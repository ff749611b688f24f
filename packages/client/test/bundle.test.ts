import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`../../${pkg}/src/${file}`, import.meta.url));

async function bundle(program: string): Promise<string> {
  const result = await build({
    stdin: { contents: program, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    platform: 'browser',
    alias: { '@threadline/client': src('client'), '@threadline/protocol': src('protocol') },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const streamingChat = (Client: string) => `
  import { ${Client} } from '@threadline/client';
  const client = new ${Client}({ baseURL: 'http://localhost:8787' });
  const stream = await client.chat.completions.create({ model: '', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  for await (const chunk of stream) console.log(chunk.choices[0]?.delta?.content ?? '');`;

// Sizes are measured in bench/client.mjs; this checks what a chat-only program is made of.
describe('what a program pays for', () => {
  it('a chat-only program carries no ingest, files, runs or approval code, and no zod', async () => {
    const code = await bundle(streamingChat('ThreadlineChat'));
    expect(code).toContain('/v1/chat/completions');
    for (const absent of [
      '/v1/ingest',
      '/v1/files',
      '/v1/runs',
      'approve',
      'onUploadProgress',
      'file_data',
      '/v1/responses',
      'WebSocket',
    ]) {
      expect(code).not.toContain(absent);
    }
    expect(code).not.toMatch(/ZodError|_zod|\$ZodType/);
  });

  it('the full client carries them (so the check above can fail)', async () => {
    const code = await bundle(streamingChat('Threadline'));
    for (const present of [
      '/v1/ingest',
      '/v1/files',
      '/v1/runs',
      'approve',
      '/v1/responses',
      'mcp_approval_response',
      'WebSocket',
    ])
      expect(code).toContain(present);
    expect(code).not.toMatch(/ZodError|_zod|\$ZodType/);
  });

  it('a responses-only program (ThreadlineResponses) carries no chat, ingest, files, runs or approval code', async () => {
    const code = await bundle(`
      import { ThreadlineResponses } from '@threadline/client';
      const client = new ThreadlineResponses({ baseURL: 'http://localhost:8787' });
      const stream = await client.responses.create({ model: '', stream: true, input: 'hi' });
      for await (const event of stream) if (event.type === 'response.output_text.delta') console.log(event.delta);`);
    expect(code).toContain('/v1/responses');
    for (const absent of [
      '/v1/chat/completions',
      '/v1/ingest',
      '/v1/files',
      '/v1/runs',
      'mcp_approval_response',
      'WebSocket',
    ]) {
      expect(code).not.toContain(absent);
    }
    expect(code).not.toMatch(/ZodError|_zod|\$ZodType/);
  });

  it('parts helpers alone do not pull in the client', async () => {
    const code = await bundle(
      "import { imagePart } from '@threadline/client'; console.log(await imagePart(new Uint8Array([1])));",
    );
    expect(code).not.toContain('/v1/chat/completions');
  });
});
