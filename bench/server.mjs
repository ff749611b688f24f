// Reference server throughput under load from another process. Three servers, each in its own process:
// ours (the CLI, as a user starts it), a bare node:http server replaying our captured answers byte for
// byte, and aimock answering the same prompt. autocannon, in a process of its own per run, drives each
// with 16 connections; rounds interleave the targets (order rotated) so a burst of load elsewhere on the
// machine skews one round, not a ratio. Prints medians and ratios, and marks every ratio below target.
// Env: BENCH_SECONDS (per run, 3), BENCH_ROUNDS (5), BENCH_WARM_SECONDS (5), BENCH_WORDS (reply length,
// 32), BENCH_WORKLOADS (comma list of names), BENCH_PROFILE (a folder: our server runs with --cpu-prof).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '../packages/mock-server/dist/cli.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 5);
const WORDS = Number(process.env.BENCH_WORDS ?? 32);
const CONNECTIONS = 16;
/** How long each traced server copy is loaded per workload for its garbage-collection figure. */
const GC_SECONDS = 3;
const TARGET_VS_BARE = 0.7;
const TARGET_VS_AIMOCK = 2;

const PROMPT = 'benchmark prompt';
const TEXT = Array.from({ length: WORDS }, (_, i) => `word${i}`).join(' ');
const MODEL = 'threadline-mini';
const chatBody = (stream) =>
  JSON.stringify({
    model: MODEL,
    ...(stream ? { stream } : {}),
    messages: [{ role: 'user', content: PROMPT }],
  });
const responsesBody = (stream) =>
  JSON.stringify({ model: MODEL, ...(stream ? { stream } : {}), input: PROMPT });
const ALL_WORKLOADS = [
  { name: 'chat', path: '/v1/chat/completions', stream: false, body: chatBody(false) },
  { name: 'chat stream', path: '/v1/chat/completions', stream: true, body: chatBody(true) },
  { name: 'responses', path: '/v1/responses', stream: false, body: responsesBody(false) },
  { name: 'responses stream', path: '/v1/responses', stream: true, body: responsesBody(true) },
  // Stateful chat: every request of the run is a turn of one session, so ours stores and searches a
  // session that grows through the bench (bare and aimock ignore the header). No target: a figure to
  // watch, as memory must not make a long session slow.
  {
    name: 'chat session',
    path: '/v1/chat/completions',
    stream: false,
    body: chatBody(false),
    headers: { 'x-session-id': 'bench' },
    target: false,
  },
];
const only = process.env.BENCH_WORKLOADS?.split(',').map((s) => s.trim());
const WORKLOADS = only ? ALL_WORKLOADS.filter((w) => only.includes(w.name)) : ALL_WORKLOADS;

if (!existsSync(CLI)) {
  console.error('bench/server.mjs: packages/mock-server/dist/cli.js is missing; run the build first.');
  process.exit(1);
}

const children = [];
/**
 * Starts a server process and resolves with its URL once it prints "listening on URL". With `traceGc`
 * it runs with --trace-gc-nvp, and `gc.promoted` adds up the bytes its garbage collections moved to the
 * old generation: a figure the machine's load does not move (a server that keeps finished requests alive
 * past a young collection shows it at once). Tracing costs a server time, so the timed rounds run
 * without it.
 */
function startServer(name, args, traceGc = false) {
  const flags = traceGc ? ['--trace-gc-nvp'] : [];
  const child = spawn(process.execPath, [...flags, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const gc = { promoted: 0 };
  return new Promise((resolve, reject) => {
    let out = '';
    let listening = false;
    let line = '';
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening: ${out}`)));
    child.stdout.on('data', (chunk) => {
      if (!listening) {
        out += chunk;
        const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (url) {
          listening = true;
          child.removeAllListeners('exit');
          resolve({ name, url, child, gc });
        }
      }
      // GC lines, whole ones only (a chunk may end mid-line).
      const lines = (line + chunk).split('\n');
      line = lines.pop() ?? '';
      for (const text of lines) {
        const promoted = /\bpromoted=(\d+)/.exec(text);
        if (promoted) gc.promoted += Number(promoted[1]);
      }
    });
  });
}

function stopAll() {
  return Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          if (child === generator) child.stdin.end();
          else child.kill('SIGTERM');
        }),
    ),
  );
}

/** One request: status, headers and the body as its SSE frames (one frame for a JSON body). */
function request(url, workload) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${workload.path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...workload.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          const frames = workload.stream ? text.split(/(?<=\n\n)/) : [text];
          resolve({ status: res.statusCode, headers: res.headers, frames, text });
        });
      },
    );
    req.on('error', reject);
    req.end(workload.body);
  });
}

/** Node sets these per connection and per answer: the replay lets it. */
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** The load generator: one process for every run, fed one job per line (server/load.mjs). */
const generator = spawn(process.execPath, [join(here, 'server/load.mjs')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
children.push(generator);
const generatorLines = createInterface({ input: generator.stdout })[Symbol.asyncIterator]();

/** One autocannon run against one target, in the generator's process. */
async function load(url, workload, seconds) {
  const job = {
    url: `${url}${workload.path}`,
    body: workload.body,
    headers: workload.headers ?? {},
    connections: CONNECTIONS,
    seconds,
  };
  generator.stdin.write(`${JSON.stringify(job)}\n`);
  const line = await generatorLines.next();
  if (line.done) throw new Error('the load generator exited');
  const result = JSON.parse(line.value);
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${job.url}: ${JSON.stringify(result)}`);
  }
  return result;
}

/** The reply text an answer carries: the JSON body's, or its stream's text deltas joined. */
function replyText(answer, workload) {
  if (!workload.stream) {
    const body = JSON.parse(answer.text);
    return body.choices?.[0]?.message?.content ?? body.output?.[0]?.content?.[0]?.text;
  }
  let text = '';
  for (const frame of answer.frames) {
    const data = /^data: (\{.*)$/m.exec(frame)?.[1];
    if (!data) continue;
    const event = JSON.parse(data);
    if (event.type === 'response.output_text.delta') text += event.delta;
    else text += event.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

/**
 * CPU time a process has used (user + system, ms; Linux /proc, else NaN). Per request it is the cost of
 * an answer, which a busy machine disturbs far less than req/s (a second opinion on the same runs).
 */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = 100;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const work = mkdtempSync(join(tmpdir(), 'threadline-bench-'));
try {
  const config = join(work, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({ fixtures: [{ match: { userText: PROMPT }, reply: { text: TEXT } }] }),
  );
  const profile = process.env.BENCH_PROFILE;
  const oursArgs = [CLI, '--port', '0', '--host', '127.0.0.1', '--config', config];
  const ours = await startServer('ours', [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...oursArgs,
  ]);

  // Capture one real answer of ours per workload: the bare server replays exactly these bytes.
  const captures = {};
  const frameCounts = {};
  // Stateful workloads answer with the same bytes as their plain one: the bare server replays that.
  for (const workload of ALL_WORKLOADS.filter((w) => !w.headers)) {
    const answer = await request(ours.url, workload);
    if (answer.status !== 200) throw new Error(`ours answered ${workload.name} with ${answer.status}`);
    const headers = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !PER_ANSWER.has(k)));
    captures[`${workload.path} ${workload.stream ? 'stream' : 'json'}`] = {
      status: answer.status,
      headers,
      frames: answer.frames,
    };
    frameCounts[workload.name] = answer.frames.length;
  }
  // aimock cuts text into fixed-size pieces, ours into words: the same number of text frames.
  const textFrames = frameCounts['chat stream'] - 2;
  const chunkSize = Math.max(1, Math.round(TEXT.length / textFrames));
  const capturesFile = join(work, 'captures.json');
  writeFileSync(capturesFile, JSON.stringify(captures));
  const bareArgs = [join(here, 'server/bare.mjs'), capturesFile];
  const aimockArgs = [join(here, 'server/aimock.mjs'), PROMPT, TEXT, String(chunkSize)];
  const bare = await startServer('bare', bareArgs);
  const aimock = await startServer('aimock', aimockArgs);
  const targets = [ours, bare, aimock];

  // Every target must give the bench's answer, or its figure means nothing.
  const framesBy = { ours: {}, bare: {}, aimock: {} };
  for (const target of targets) {
    for (const workload of WORKLOADS) {
      const answer = await request(target.url, workload);
      if (answer.status !== 200 || replyText(answer, workload) !== TEXT) {
        throw new Error(`${target.name} did not answer ${workload.name} with the bench text`);
      }
      framesBy[target.name][workload.name] = answer.frames.length;
    }
  }

  const before = loadavg();
  console.log(
    `server benchmark: node ${process.version}, ${cpus().length} cpus, load average ${before.map((n) => n.toFixed(2)).join(' ')}`,
  );
  console.log(
    `  autocannon in its own process, ${CONNECTIONS} connections, ${WARM_SECONDS}s warm-up, ${ROUNDS} interleaved rounds x ${SECONDS}s per target`,
  );
  console.log(
    `  reply: ${WORDS} words (${TEXT.length} chars); ours streams one word per frame, aimock ${chunkSize} chars per frame; CLI default chunk delay (0 ms)`,
  );
  for (const target of targets) {
    for (const workload of WORKLOADS) await load(target.url, workload, WARM_SECONDS);
  }
  const results = Object.fromEntries(WORKLOADS.map((w) => [w.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const workload of WORKLOADS) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      const row = {};
      for (const target of order) {
        const cpuBefore = cpuMs(target.child.pid);
        const result = await load(target.url, workload, SECONDS);
        const cpu = cpuMs(target.child.pid) - cpuBefore;
        row[target.name] = result.requestsPerSecond;
        row[`${target.name} cpu`] = (1000 * cpu) / result.total;
      }
      results[workload.name].push(row);
    }
  }

  // Untimed: a traced copy of each server, one at a time, counts what its collections promote.
  const promotedBy = { ours: {}, bare: {}, aimock: {} };
  const traced = { ours: oursArgs, bare: bareArgs, aimock: aimockArgs };
  for (const [name, args] of Object.entries(traced)) {
    const copy = await startServer(name, args, true);
    for (const workload of WORKLOADS) {
      await load(copy.url, workload, 1);
      const before = copy.gc.promoted;
      const result = await load(copy.url, workload, GC_SECONDS);
      promotedBy[name][workload.name] = (copy.gc.promoted - before) / result.total;
    }
    await new Promise((done) => {
      copy.child.once('exit', done);
      copy.child.kill('SIGTERM');
    });
  }

  const after = loadavg();
  const num = (n, width = 7) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a').padStart(width);
  const mark = (ratio, target) => `${ratio.toFixed(2)}x ${ratio >= target ? ' ' : '✗'}`;
  console.log(
    `\n  ${'req/s (median)'.padEnd(17)} ${'ours'.padStart(7)} ${'bare'.padStart(7)} ${'aimock'.padStart(7)}   ${'ours/bare'.padStart(9)}  ${'ours/aimock'.padStart(11)}   frames ours/bare/aimock`,
  );
  const misses = [];
  for (const workload of WORKLOADS) {
    const rounds = results[workload.name];
    const vsBare = median(rounds.map((r) => r.ours / r.bare));
    const vsAimock = median(rounds.map((r) => r.ours / r.aimock));
    const judged = workload.target !== false;
    if (judged && vsBare < TARGET_VS_BARE) misses.push(`${workload.name} vs bare`);
    if (judged && vsAimock < TARGET_VS_AIMOCK) misses.push(`${workload.name} vs aimock`);
    const shown = (ratio, target) => (judged ? mark(ratio, target) : `${ratio.toFixed(2)}x  `);
    const frames = targets.map((t) => framesBy[t.name][workload.name]).join('/');
    const rps = (name) => num(median(rounds.map((r) => r[name])));
    console.log(
      `  ${workload.name.padEnd(17)} ${rps('ours')} ${rps('bare')} ${rps('aimock')}   ${shown(vsBare, TARGET_VS_BARE).padStart(9)}  ${shown(vsAimock, TARGET_VS_AIMOCK).padStart(11)}   ${frames}${judged ? '' : '   (no target)'}`,
    );
    const perRound = rounds.map((r) => `${(r.ours / r.bare).toFixed(2)}/${(r.ours / r.aimock).toFixed(2)}`);
    console.log(`  ${''.padEnd(17)} per round (ours/bare, ours/aimock): ${perRound.join('  ')}`);
  }
  console.log(
    `\n  ${'server CPU µs/req'.padEnd(17)} ${'ours'.padStart(7)} ${'bare'.padStart(7)} ${'aimock'.padStart(7)}   ${'bare/ours'.padStart(9)}  ${'aimock/ours'.padStart(11)}   (lower CPU is better; ratios as throughput)`,
  );
  for (const workload of WORKLOADS) {
    const rounds = results[workload.name];
    const cpu = (name) => median(rounds.map((r) => r[`${name} cpu`]));
    const ratio = (name) => median(rounds.map((r) => r[`${name} cpu`] / r['ours cpu']));
    console.log(
      `  ${workload.name.padEnd(17)} ${num(cpu('ours'))} ${num(cpu('bare'))} ${num(cpu('aimock'))}   ${`${ratio('bare').toFixed(2)}x`.padStart(9)}    ${`${ratio('aimock').toFixed(2)}x`.padStart(9)}`,
    );
  }
  console.log(
    `\n  ${'promoted B/req'.padEnd(17)} ${'ours'.padStart(7)} ${'bare'.padStart(7)} ${'aimock'.padStart(7)}   (bytes per request moved to the old generation; untimed, traced copies)`,
  );
  for (const workload of WORKLOADS) {
    const promoted = (name) => promotedBy[name][workload.name];
    console.log(
      `  ${workload.name.padEnd(17)} ${num(promoted('ours'))} ${num(promoted('bare'))} ${num(promoted('aimock'))}`,
    );
  }
  console.log(
    `\n  targets: ours >= ${TARGET_VS_BARE}x bare and >= ${TARGET_VS_AIMOCK}x aimock in req/s (medians of per-round ratios; a miss is marked)`,
  );
  console.log(`  load average after: ${after.map((n) => n.toFixed(2)).join(' ')}`);
  console.log(misses.length ? `  below target: ${misses.join(', ')}` : '  every figure meets its target');
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
