// Reference server throughput vs a bare node:http server, measured in the same run over real ports.
// Prints requests/s (non-stream) and chunks/s (stream) for both, on Chat Completions and on Responses
// (the bare server answers each door's shapes), then the ratios (target ≥ 0.7×).
import http from 'node:http';
import { start } from '@threadline/mock-server';

const DURATION_MS = Number(process.env.BENCH_MS ?? 2000);
// Paired rounds (reference then bare, back to back) and the median ratio: a burst of load from elsewhere
// on the machine skews one round, not the result.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 16;
const STREAM_WORDS = 2000;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const longText = Array.from({ length: STREAM_WORDS }, (_, i) => `word${i}`).join(' ');
const chatBody = JSON.stringify({ model: '', messages: [{ role: 'user', content: 'benchmark ping' }] });
const streamBody = JSON.stringify({
  model: '',
  stream: true,
  messages: [{ role: 'user', content: 'benchmark stream' }],
});
const CHAT = '/v1/chat/completions';
const RESPONSES = '/v1/responses';
const responsesBody = JSON.stringify({ model: '', input: 'benchmark ping' });
const responsesStreamBody = JSON.stringify({ model: '', stream: true, input: 'benchmark stream' });

/** The bare Responses answer: a resource and the named events of one text reply, unvalidated. */
function bareResponse(status, output) {
  return {
    id: 'run_bare',
    object: 'response',
    created_at: 0,
    status,
    model: 'bare',
    output,
    usage: status === 'completed' ? { input_tokens: 2, output_tokens: 1, total_tokens: 3 } : null,
  };
}

function writeBareResponsesStream(res, words) {
  let seq = 0;
  const send = (type, data) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  const item = { type: 'message', id: 'msg_bare', status: 'in_progress', role: 'assistant', content: [] };
  const part = { type: 'output_text', text: '', annotations: [] };
  const at = { item_id: 'msg_bare', output_index: 0, content_index: 0 };
  send('response.created', { response: bareResponse('in_progress', []) });
  send('response.in_progress', { response: bareResponse('in_progress', []) });
  send('response.output_item.added', { output_index: 0, item });
  send('response.content_part.added', { ...at, part });
  for (let i = 0; i < words.length; i++) {
    send('response.output_text.delta', { ...at, delta: i === 0 ? words[i] : ` ${words[i]}` });
  }
  const done = { ...part, text: longText };
  send('response.output_text.done', { ...at, text: longText });
  send('response.content_part.done', { ...at, part: done });
  const finished = { ...item, status: 'completed', content: [done] };
  send('response.output_item.done', { output_index: 0, item: finished });
  send('response.completed', { response: bareResponse('completed', [finished]) });
}

/** A bare server answering the same shapes with no validation, routing or state: the floor we compare to. */
function startBare() {
  const completion = JSON.stringify({
    id: 'run_bare',
    object: 'chat.completion',
    created: 0,
    model: 'bare',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'pong' }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 },
  });
  const words = longText.split(' ');
  const response = JSON.stringify(
    bareResponse('completed', [
      {
        type: 'message',
        id: 'msg_bare',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'pong', annotations: [] }],
      },
    ]),
  );
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (req.url === RESPONSES) {
        if (!body.stream) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(response);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        writeBareResponsesStream(res, words);
        res.end();
        return;
      }
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < words.length; i++) {
        const delta = i === 0 ? { role: 'assistant', content: words[i] } : { content: ` ${words[i]}` };
        const chunk = {
          id: 'run_bare',
          object: 'chat.completion.chunk',
          created: 0,
          model: 'bare',
          choices: [{ index: 0, delta, finish_reason: null }],
        };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }
      res.write('data: [DONE]\n\n');
      res.end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}

function post(url, path, body, onData) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.on('data', (b) => onData?.(b));
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs CONCURRENCY request loops for DURATION_MS; returns completed requests and frames seen. */
async function load(url, body, path = CHAT, durationMs = DURATION_MS) {
  let requests = 0;
  let frames = 0;
  const deadline = performance.now() + durationMs;
  const countFrames = (buf) => {
    for (let i = buf.indexOf('data: '); i !== -1; i = buf.indexOf('data: ', i + 6)) frames++;
  };
  const loop = async () => {
    while (performance.now() < deadline) {
      await post(url, path, body, countFrames);
      requests++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: requests / seconds, framesPerSecond: frames / seconds };
}

const bare = await startBare();
const ref = await start({
  port: 0,
  host: '127.0.0.1',
  fixtures: [{ match: { userText: 'benchmark stream' }, reply: { text: longText } }],
});
try {
  // Warm up both servers (and the JIT on the reference server's larger code) before measuring.
  await load(ref.url, chatBody);
  await load(ref.url, streamBody);
  await load(bare.url, chatBody);
  await load(bare.url, streamBody);
  await load(ref.url, responsesBody, RESPONSES);
  await load(ref.url, responsesStreamBody, RESPONSES);
  await load(bare.url, responsesBody, RESPONSES);
  await load(bare.url, responsesStreamBody, RESPONSES);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const json = [];
  const stream = [];
  const responsesJson = [];
  const responsesStream = [];
  for (let round = 0; round < ROUNDS; round++) {
    json.push({
      ref: (await load(ref.url, chatBody)).perSecond,
      bare: (await load(bare.url, chatBody)).perSecond,
    });
    stream.push({
      ref: (await load(ref.url, streamBody)).framesPerSecond,
      bare: (await load(bare.url, streamBody)).framesPerSecond,
    });
    responsesJson.push({
      ref: (await load(ref.url, responsesBody, RESPONSES)).perSecond,
      bare: (await load(bare.url, responsesBody, RESPONSES)).perSecond,
    });
    // Frames are every SSE event: the text deltas and the lifecycle events around them (same on both).
    responsesStream.push({
      ref: (await load(ref.url, responsesStreamBody, RESPONSES)).framesPerSecond,
      bare: (await load(bare.url, responsesStreamBody, RESPONSES)).framesPerSecond,
    });
  }
  const rows = [
    ['non-stream requests/s', json],
    ['streamed chunks/s', stream],
    ['responses requests/s', responsesJson],
    ['responses events/s', responsesStream],
  ];
  console.log(`server benchmark (reference vs bare node:http, same run, ${ROUNDS} paired rounds)`);
  for (const [name, rounds] of rows) {
    const ref = median(rounds.map((r) => r.ref));
    const bare = median(rounds.map((r) => r.bare));
    const ratios = rounds.map((r) => (r.ref / r.bare).toFixed(2)).join(' ');
    console.log(
      `  ${name.padEnd(24)} reference ${ref.toFixed(0).padStart(9)}   bare ${bare.toFixed(0).padStart(9)}   round ratios ${ratios}`,
    );
  }
  const ratio = (rounds) => median(rounds.map((r) => r.ref / r.bare)).toFixed(2);
  console.log(`ratio non-stream ${ratio(json)}x (median of rounds; target >= 0.70x)`);
  console.log(`ratio stream ${ratio(stream)}x (median of rounds; target >= 0.70x)`);
  console.log(`ratio responses non-stream ${ratio(responsesJson)}x (median of rounds; target >= 0.70x)`);
  console.log(`ratio responses stream ${ratio(responsesStream)}x (median of rounds; target >= 0.70x)`);
} finally {
  await ref.close();
  await bare.close();
  agent.destroy();
}
