// @threadline/client against the official `openai` package, measured in the same run on the built packages:
// bundle size of a chat-only and a responses-only program (esbuild, minified, gzip), chunks/s consumed
// from one long chat stream and events/s from one long responses stream, and cold import time. Prints a
// table, then the ratios last.
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
  'threadline responses-only (ThreadlineResponses)': `
    import { ThreadlineResponses } from '@threadline/client';
    const client = new ThreadlineResponses({ baseURL: 'http://localhost:8787' });
    const stream = await client.responses.create({ model: '', stream: true, input: 'hi' });
    for await (const event of stream) if (event.type === 'response.output_text.delta') console.log(event.delta);
    console.log((await stream.finalResponse()).output_text);`,
  'openai responses.stream': `
    import OpenAI from 'openai';
    const client = new OpenAI({ baseURL: 'http://localhost:8787/v1', apiKey: 'none' });
    const stream = client.responses.stream({ model: '', input: 'hi' });
    for await (const event of stream) if (event.type === 'response.output_text.delta') console.log(event.delta);
    console.log((await stream.finalResponse()).output_text);`,
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
const leaks = ['/v1/ingest', '/v1/files', '/v1/runs', 'approve', 'ZodError', '_zod', '/v1/responses'].filter(
  (s) => chatOnly.text.includes(s),
);
const responsesOnly = sizes['threadline responses-only (ThreadlineResponses)'];
const responsesLeaks = [
  '/v1/ingest',
  '/v1/files',
  '/v1/runs',
  'ZodError',
  '_zod',
  '/v1/chat/completions',
].filter((s) => responsesOnly.text.includes(s));

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

// --- events/s from one long responses stream -------------------------------------------------------------

function responsesBody(count) {
  const resource = (status, output) => ({
    id: 'run_bench',
    object: 'response',
    created_at: 1,
    completed_at: status === 'completed' ? 2 : null,
    status,
    incomplete_details: null,
    model: 'bench',
    previous_response_id: null,
    instructions: null,
    output,
    error: null,
    tools: [],
    tool_choice: 'auto',
    truncation: 'disabled',
    parallel_tool_calls: true,
    text: { format: { type: 'text' } },
    top_p: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    temperature: 1,
    reasoning: null,
    usage: null,
    max_output_tokens: null,
    max_tool_calls: null,
    store: true,
    background: false,
    service_tier: 'default',
    metadata: {},
    safety_identifier: null,
    prompt_cache_key: null,
  });
  let seq = 0;
  const parts = [];
  const event = (type, fields) =>
    parts.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`);
  const at = { item_id: 'msg_bench', output_index: 0, content_index: 0 };
  const words = [];
  for (let i = 0; i < count; i++) words.push(i === 0 ? 'w0' : ` w${i}`);
  const text = words.join('');
  const item = (status, content) => ({
    type: 'message',
    id: 'msg_bench',
    status,
    role: 'assistant',
    content,
  });
  const part = (t) => ({ type: 'output_text', text: t, annotations: [] });
  event('response.created', { response: resource('in_progress', []) });
  event('response.in_progress', { response: resource('in_progress', []) });
  event('response.output_item.added', { output_index: 0, item: item('in_progress', []) });
  event('response.content_part.added', { ...at, part: part('') });
  for (const delta of words) event('response.output_text.delta', { ...at, delta, logprobs: [] });
  event('response.output_text.done', { ...at, text, logprobs: [] });
  event('response.content_part.done', { ...at, part: part(text) });
  const done = item('completed', [part(text)]);
  event('response.output_item.done', { output_index: 0, item: done });
  event('response.completed', { response: resource('completed', [done]) });
  return { bytes: Buffer.from(parts.join('')), events: seq, text };
}
const responses = responsesBody(CHUNKS);

function memoryResponsesFetch() {
  const bytes = responses.bytes;
  return async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 16_384)
            controller.enqueue(new Uint8Array(bytes.subarray(i, i + 16_384)));
          controller.close();
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
}

const { ThreadlineResponses } = await import('@threadline/client');
const responsesRequest = { model: 'bench', input: 'go' };

function responsesClients(baseURL, fetchImpl) {
  const options = fetchImpl ? { fetch: fetchImpl } : {};
  const openai = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey: 'none', maxRetries: 0, ...options });
  return {
    threadline: new ThreadlineResponses({ baseURL, maxRetries: 0, ...options }),
    openai,
    openaiRaw: openai,
  };
}

/**
 * Events/s through each client's streaming call: threadline's create({ stream: true }) and openai's
 * responses.stream (both end with finalResponse(), checked for the whole text), and openai's bare
 * create({ stream: true }), which only parses.
 */
async function consumeResponses(name, client) {
  const t0 = performance.now();
  const stream =
    name === 'openai'
      ? client.responses.stream(responsesRequest)
      : await client.responses.create({ ...responsesRequest, stream: true });
  let n = 0;
  for await (const _ of stream) n++;
  const text = name === 'openaiRaw' ? responses.text : (await stream.finalResponse()).output_text;
  if (n !== responses.events || text !== responses.text)
    throw new Error(`${name}: expected ${responses.events} events and the whole text, got ${n}`);
  return n / ((performance.now() - t0) / 1000);
}

const RESPONSES_CLIENTS = ['threadline', 'openai', 'openaiRaw'];
async function responsesThroughput(pair) {
  const best = { threadline: 0, openai: 0, openaiRaw: 0 };
  for (const name of RESPONSES_CLIENTS) await consumeResponses(name, pair[name]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of RESPONSES_CLIENTS)
      best[name] = Math.max(best[name], await consumeResponses(name, pair[name]));
  }
  return best;
}

const responsesMemory = await responsesThroughput(
  responsesClients('http://bench.invalid', memoryResponsesFetch()),
);
const responsesServer = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(responses.bytes);
  });
});
await new Promise((resolve) => responsesServer.listen(0, '127.0.0.1', resolve));
const responsesNetwork = await responsesThroughput(
  responsesClients(`http://127.0.0.1:${responsesServer.address().port}`),
);
responsesServer.closeAllConnections();
responsesServer.close();

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
  console.log(`    ${name.padEnd(48)} min ${kb(size.min).padStart(10)}   gzip ${kb(size.gzip).padStart(9)}`);
}
console.log(`    chat-only bundle contains non-chat code: ${leaks.length ? leaks.join(', ') : 'no'}`);
console.log(
  `    responses-only bundle contains other code: ${responsesLeaks.length ? responsesLeaks.join(', ') : 'no'}`,
);
const fmt = (n) => n.toFixed(0).padStart(9);
console.log(`  chunks/s from one stream of ${TOTAL} chunks (best of ${ROUNDS})`);
console.log(
  `    in-memory body                 threadline ${fmt(memory.threadline)}   openai ${fmt(memory.openai)}`,
);
console.log(
  `    over a real port (node:http)   threadline ${fmt(network.threadline)}   openai ${fmt(network.openai)}`,
);
console.log(
  `  events/s from one responses stream of ${responses.events} events (best of ${ROUNDS}; openai: responses.stream)`,
);
console.log(
  `    in-memory body                 threadline ${fmt(responsesMemory.threadline)}   openai ${fmt(responsesMemory.openai)}   openai create(stream) ${fmt(responsesMemory.openaiRaw)}`,
);
console.log(
  `    over a real port (node:http)   threadline ${fmt(responsesNetwork.threadline)}   openai ${fmt(responsesNetwork.openai)}   openai create(stream) ${fmt(responsesNetwork.openaiRaw)}`,
);
console.log(
  `  cold import (median of ${IMPORTS})     threadline ${imports.threadline.toFixed(1)} ms   openai ${imports.openai.toFixed(1)} ms`,
);

const openaiSize = sizes['openai chat-only'];
console.log(
  `size chat-only ${kb(chatOnly.gzip)} gzip (target <= 8.00 KB); openai ${kb(openaiSize.gzip)}: ${(openaiSize.gzip / chatOnly.gzip).toFixed(1)}x smaller`,
);
const openaiResponsesSize = sizes['openai responses.stream'];
console.log(
  `size responses-only ${kb(responsesOnly.gzip)} gzip (target <= 8.00 KB); openai ${kb(openaiResponsesSize.gzip)}: ${(openaiResponsesSize.gzip / responsesOnly.gzip).toFixed(1)}x smaller`,
);
console.log(`ratio chunks/s in-memory ${(memory.threadline / memory.openai).toFixed(2)}x (target >= 1.50x)`);
console.log(
  `ratio chunks/s over a port ${(network.threadline / network.openai).toFixed(2)}x (target >= 1.50x)`,
);
console.log(
  `ratio responses events/s in-memory ${(responsesMemory.threadline / responsesMemory.openai).toFixed(2)}x vs responses.stream, ${(responsesMemory.threadline / responsesMemory.openaiRaw).toFixed(2)}x vs create(stream)`,
);
console.log(
  `ratio responses events/s over a port ${(responsesNetwork.threadline / responsesNetwork.openai).toFixed(2)}x vs responses.stream, ${(responsesNetwork.threadline / responsesNetwork.openaiRaw).toFixed(2)}x vs create(stream)`,
);
console.log(`ratio cold import ${(imports.openai / imports.threadline).toFixed(2)}x faster than openai`);
