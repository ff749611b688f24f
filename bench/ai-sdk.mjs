// @threadline/ai-sdk against @ai-sdk/openai-compatible, in the same run on the built packages: the
// provider's stream overhead (parts/s that doStream hands on from one long chat stream read from memory,
// best of rounds, the two interleaved), and the min+gzip size of a program using each provider (esbuild).

import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function sseBody(count) {
  const frame = (delta, finish) =>
    `data: ${JSON.stringify({
      id: 'run_bench',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'bench',
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;
  const parts = [];
  for (let i = 0; i < count; i++)
    parts.push(frame(i === 0 ? { role: 'assistant', content: 'w0' } : { content: ` w${i}` }, null));
  parts.push(frame({}, 'stop'), 'data: [DONE]\n\n');
  return Buffer.from(parts.join(''));
}
const body = sseBody(CHUNKS);

/** The same bytes in 16 KB pieces from memory, so only the provider's own work is measured. */
const memoryFetch = async () =>
  new Response(
    new ReadableStream({
      start(controller) {
        for (let i = 0; i < body.length; i += 16_384)
          controller.enqueue(new Uint8Array(body.subarray(i, i + 16_384)));
        controller.close();
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );

const { createThreadline } = await import('@threadline/ai-sdk');
const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
const models = {
  threadline: createThreadline({ baseURL: 'http://bench.invalid', fetch: memoryFetch }).chat('bench'),
  'openai-compatible': createOpenAICompatible({
    name: 'bench',
    baseURL: 'http://bench.invalid/v1',
    fetch: memoryFetch,
  }).chatModel('bench'),
};
const options = { prompt: [{ role: 'user', content: [{ type: 'text', text: 'go' }] }] };

async function consume(model) {
  const t0 = performance.now();
  const { stream } = await model.doStream(options);
  const reader = stream.getReader();
  let deltas = 0;
  let finished = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.type === 'text-delta') deltas++;
    if (value.type === 'finish') finished = true;
  }
  if (deltas !== CHUNKS || !finished)
    throw new Error(`expected ${CHUNKS} text deltas and a finish, got ${deltas}`);
  return deltas / ((performance.now() - t0) / 1000);
}

const best = { threadline: 0, 'openai-compatible': 0 };
for (const name of Object.keys(models)) await consume(models[name]);
for (let round = 0; round < ROUNDS; round++) {
  for (const name of Object.keys(models)) best[name] = Math.max(best[name], await consume(models[name]));
}

const programs = {
  threadline: `
    import { createThreadline } from '@threadline/ai-sdk';
    import { streamText } from 'ai';
    const model = createThreadline({ baseURL: 'http://localhost:8787' }).chat('');
    for await (const t of streamText({ model, prompt: 'hi' }).textStream) console.log(t);`,
  'openai-compatible': `
    import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
    import { streamText } from 'ai';
    const model = createOpenAICompatible({ name: 'x', baseURL: 'http://localhost:8787/v1' }).chatModel('');
    for await (const t of streamText({ model, prompt: 'hi' }).textStream) console.log(t);`,
  'threadline provider alone (doStream)': `
    import { createThreadline } from '@threadline/ai-sdk';
    const { stream } = await createThreadline({ baseURL: 'http://localhost:8787' }).chat('').doStream({ prompt: [] });
    console.log(stream);`,
  'openai-compatible provider alone (doStream)': `
    import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
    const { stream } = await createOpenAICompatible({ name: 'x', baseURL: 'http://localhost:8787/v1' }).chatModel('').doStream({ prompt: [] });
    console.log(stream);`,
};

async function size(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'js' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return gzipSync(code, { level: 9 }).byteLength / 1024;
}

const kb = (n) => `${n.toFixed(2)} KB`;
console.log(`provider stream, ${CHUNKS} chunks from memory (doStream parts handed on, best of ${ROUNDS}):`);
for (const [name, rate] of Object.entries(best))
  console.log(`  ${name.padEnd(20)} ${Math.round(rate).toLocaleString('en')} chunks/s`);
console.log('min+gzip of a program using the provider (esbuild, browser):');
const sizes = {};
for (const [name, source] of Object.entries(programs)) {
  sizes[name] = await size(source);
  console.log(`  ${name.padEnd(44)} ${kb(sizes[name])}`);
}
const ratio = best.threadline / best['openai-compatible'];
console.log(`threadline vs openai-compatible stream: ${ratio.toFixed(2)}x (target >= 1.00x)`);
console.log(
  `threadline provider alone: ${kb(sizes['threadline provider alone (doStream)'])} min+gzip (${kb(sizes['openai-compatible provider alone (doStream)'])} for openai-compatible)`,
);
