// @threadline/client against the official `openai` package, measured in the same run on the built packages:
// bundle size of a chat-only program (esbuild, minified, gzip), chunks/s consumed from one long stream,
// and cold import time. Prints a table, then the ratios last.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IMPORTS = Number(process.env.BENCH_IMPORTS ?? 7);

// --- bundle size ---------------------------------------------------------------------------------------

const programs = {
  'threadline chat-only (ThreadlineChat)': `
    import { ThreadlineChat } from '@threadline/client';
    const client = new ThreadlineChat({ baseURL: 'http://localhost:8787' });
    const stream = await client.chat.completions.create({ model: '', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) console.log(chunk.choices[0]?.delta?.content ?? '');`,
  'threadline full client, chat only used': `
    import { Threadline } from '@threadline/client';
    const client = new Threadline({ baseURL: 'http://localhost:8787' });
    const stream = await client.chat.completions.create({ model: '', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) console.log(chunk.choices[0]?.delta?.content ?? '');`,
  'openai chat-only': `
    import OpenAI from 'openai';
    const client = new OpenAI({ baseURL: 'http://localhost:8787/v1', apiKey: 'none' });
    const stream = await client.chat.completions.create({ model: '', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    for await (const chunk of stream) console.log(chunk.choices[0]?.delta?.content ?? '');`,
};

async function bundleSize(source) {
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
  return {
    min: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    text: result.outputFiles[0].text,
  };
}

const sizes = {};
for (const [name, source] of Object.entries(programs)) sizes[name] = await bundleSize(source);
const chatOnly = sizes['threadline chat-only (ThreadlineChat)'];
const leaks = ['/v1/ingest', '/v1/files', '/v1/runs', 'approve', 'ZodError', '_zod'].filter((s) =>
  chatOnly.text.includes(s),
);

// --- chunks/s from one long stream ----------------------------------------------------------------------

function sseBody(count) {
  const parts = [];
  for (let i = 0; i < count; i++) {
    const delta = i === 0 ? { role: 'assistant', content: 'w0' } : { content: ` w${i}` };
    const chunk = {
      id: 'run_bench',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'bench',
      choices: [{ index: 0, delta, finish_reason: null }],
    };
    parts.push(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  const last = {
    id: 'run_bench',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'bench',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  };
  parts.push(`data: ${JSON.stringify(last)}\n\n`, 'data: [DONE]\n\n');
  return Buffer.from(parts.join(''));
}
const body = sseBody(CHUNKS);
const TOTAL = CHUNKS + 1;

/** An in-memory fetch: the same bytes in 16 KB pieces, so only the client's own work is measured. */
function memoryFetch() {
  return async () =>
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
}

const { ThreadlineChat } = await import('@threadline/client');
const { default: OpenAI } = await import('openai');
const request = { model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] };

function clients(baseURL, fetchImpl) {
  const options = fetchImpl ? { fetch: fetchImpl } : {};
  return {
    threadline: new ThreadlineChat({ baseURL, maxRetries: 0, ...options }),
    openai: new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'none', maxRetries: 0, ...options }),
  };
}

async function consume(client) {
  const t0 = performance.now();
  const stream = await client.chat.completions.create(request);
  let n = 0;
  for await (const chunk of stream) if (chunk.choices.length > 0) n++;
  if (n !== TOTAL) throw new Error(`expected ${TOTAL} chunks, got ${n}`);
  return n / ((performance.now() - t0) / 1000);
}

/** Best of ROUNDS, the two clients interleaved so both see the same machine state. */
async function throughput(pair) {
  const best = { threadline: 0, openai: 0 };
  await consume(pair.threadline);
  await consume(pair.openai);
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['threadline', 'openai']) best[name] = Math.max(best[name], await consume(pair[name]));
  }
  return best;
}

const memory = await throughput(clients('http://bench.invalid', memoryFetch()));

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const network = await throughput(clients(`http://127.0.0.1:${port}`));
server.closeAllConnections();
server.close();

// --- cold import time ----------------------------------------------------------------------------------

function importMs(specifier) {
  const times = [];
  for (let i = 0; i < IMPORTS; i++) {
    const script = `const t=performance.now();await import(${JSON.stringify(specifier)});console.log(performance.now()-t)`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: here,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(run.stderr);
    times.push(Number(run.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
const imports = { threadline: importMs('@threadline/client'), openai: importMs('openai') };

// --- report --------------------------------------------------------------------------------------------

const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
console.log('client benchmark (@threadline/client vs openai, same run)');
console.log('  bundle of a streaming chat program (esbuild --minify, gzip -9)');
for (const [name, size] of Object.entries(sizes)) {
  console.log(`    ${name.padEnd(40)} min ${kb(size.min).padStart(10)}   gzip ${kb(size.gzip).padStart(9)}`);
}
console.log(`    chat-only bundle contains non-chat code: ${leaks.length ? leaks.join(', ') : 'no'}`);
const fmt = (n) => n.toFixed(0).padStart(9);
console.log(`  chunks/s from one stream of ${TOTAL} chunks (best of ${ROUNDS})`);
console.log(
  `    in-memory body                 threadline ${fmt(memory.threadline)}   openai ${fmt(memory.openai)}`,
);
console.log(
  `    over a real port (node:http)   threadline ${fmt(network.threadline)}   openai ${fmt(network.openai)}`,
);
console.log(
  `  cold import (median of ${IMPORTS})     threadline ${imports.threadline.toFixed(1)} ms   openai ${imports.openai.toFixed(1)} ms`,
);

const openaiSize = sizes['openai chat-only'];
console.log(
  `size chat-only ${kb(chatOnly.gzip)} gzip (target <= 8.00 KB); openai ${kb(openaiSize.gzip)}: ${(openaiSize.gzip / chatOnly.gzip).toFixed(1)}x smaller`,
);
console.log(`ratio chunks/s in-memory ${(memory.threadline / memory.openai).toFixed(2)}x (target >= 1.50x)`);
console.log(
  `ratio chunks/s over a port ${(network.threadline / network.openai).toFixed(2)}x (target >= 1.50x)`,
);
console.log(`ratio cold import ${(imports.openai / imports.threadline).toFixed(2)}x faster than openai`);
