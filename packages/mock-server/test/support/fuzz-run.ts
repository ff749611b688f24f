/** What every fuzz run shares: its seed and bounds, the route table, the server child and the judge. */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_PREFIX } from '@threadline/protocol';
import { bundleForNode } from './cli';
import type { FuzzCase, RouteSpec } from './fuzz';
import type { RawAnswer } from './fuzz-http';

/** The seed (FUZZ_SEED replays a run) and the number of cases of the main run (FUZZ_COUNT). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
export const COUNT = Number(process.env.FUZZ_COUNT ?? 2_000);
/** No answer may take longer than this. */
export const ANSWER_BOUND_MS = 5_000;
/** Requests in flight at once (the machine has 2 cores; the server is one process). */
export const CONCURRENCY = 4;

export const ROUTES: RouteSpec[] = [
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/chat/completions' },
  { method: 'POST', path: '/v1/responses' },
  { method: 'POST', path: '/v1/responses' },
  { method: 'POST', path: '/v1/responses/compact' },
  { method: 'GET', path: '/v1/models' },
  { method: 'GET', path: '/v1/models/:model' },
  { method: 'GET', path: '/v1/files/:id' },
  { method: 'GET', path: '/v1/files/:id/content' },
  { method: 'GET', path: '/v1/runs/:id' },
  { method: 'POST', path: '/v1/ingest' },
  { method: 'POST', path: '/v1/ingest' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/.well-known/threadline-conformance.json' },
  { method: 'GET', path: `${CONTROL_PREFIX}/journal` },
  { method: 'GET', path: `${CONTROL_PREFIX}/tools` },
  { method: 'GET', path: `${CONTROL_PREFIX}/faults` },
  { method: 'GET', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'GET', path: '/nowhere/:x' },
];

/** Control routes that change what later requests get: fuzzed one at a time, their effect undone after. */
export const MUTATING_ROUTES: RouteSpec[] = [
  { method: 'POST', path: `${CONTROL_PREFIX}/faults` },
  { method: 'DELETE', path: `${CONTROL_PREFIX}/faults` },
  { method: 'POST', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'DELETE', path: `${CONTROL_PREFIX}/fixtures` },
  { method: 'POST', path: `${CONTROL_PREFIX}/reset` },
];

/** The server child's script, bundled once for every run of this file (removed after them). */
let bundled: Promise<{ dir: string; script: string }> | undefined;
export function serverScript(): Promise<string> {
  bundled ??= mkdtemp(join(tmpdir(), 'threadline-fuzz-bundle-')).then(async (dir) => ({
    dir,
    script: await bundleForNode(
      fileURLToPath(new URL('./fuzz-server.ts', import.meta.url)),
      join(dir, 'fuzz-server.mjs'),
    ),
  }));
  return bundled.then((b) => b.script);
}
/** Removes the bundle (call from a test file's afterAll). */
export async function releaseServerScript(): Promise<void> {
  if (bundled) await rm((await bundled).dir, { recursive: true, force: true });
  bundled = undefined;
}

export interface ServerChild {
  child: ChildProcess;
  port: number;
  exited: () => string | null;
  heap(): Promise<{ heapUsed: number; rss: number; gc: boolean }>;
}

export async function startChild(script: string, config: unknown): Promise<ServerChild> {
  const child = fork(script, [JSON.stringify(config)], {
    execArgv: ['--expose-gc', '--max-old-space-size=768'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-4_000);
  });
  let exit: string | null = null;
  child.on('exit', (code, signal) => {
    exit = `server exited (code ${code}, signal ${signal}); stderr: ${stderr}`;
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', () => reject(new Error(exit ?? 'server exited')));
  });
  return {
    child,
    port,
    exited: () => exit,
    heap: () =>
      new Promise((resolve, reject) => {
        if (exit !== null || !child.connected) {
          reject(new Error(exit ?? 'the server child is not connected'));
          return;
        }
        const onExit = () => reject(new Error(exit ?? 'server exited'));
        const onMessage = (m: { kind: string; heapUsed: number; rss: number; gc: boolean }) => {
          if (m.kind !== 'heap') return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(m);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send('heap');
      }),
  };
}

/** What is wrong with one answer, or null when it is acceptable. */
export function judge(c: FuzzCase, answer: RawAnswer, dialectShapes = false): string | null {
  if (answer.timedOut) return `no answer within ${ANSWER_BOUND_MS} ms`;
  if (answer.elapsedMs > ANSWER_BOUND_MS) return `answered after ${Math.round(answer.elapsedMs)} ms`;
  if (answer.status === null) {
    return c.bendsProtocol
      ? null
      : `connection closed without an answer after ${Math.round(answer.elapsedMs)} ms (${answer.body.byteLength} bytes)`;
  }
  const status = answer.status;
  if (c.head.byteLength > 17 * 1024 && status !== 431)
    return `a ${c.head.byteLength}-byte head got ${status}, not 431`;
  if (status === 431 && c.head.byteLength < 15 * 1024) return `431 for a head of ${c.head.byteLength} bytes`;
  if (status >= 500 && status !== c.injectedStatus)
    return `status ${status}: ${answer.body.toString().slice(0, 300)}`;
  if (c.bendsProtocol || c.method === 'HEAD' || status < 400) return null;
  if (!answer.headers['content-type']?.startsWith('application/json')) {
    return `error ${status} with content-type ${answer.headers['content-type']}: ${answer.body.toString().slice(0, 200)}`;
  }
  let body: { error?: { message?: unknown } | string; message?: unknown };
  try {
    body = JSON.parse(answer.body.toString());
  } catch {
    return `error ${status} whose body is not JSON: ${answer.body.toString().slice(0, 200)}`;
  }
  const nested =
    typeof body.error === 'object' && body.error !== null && typeof body.error.message === 'string';
  // Other dialects answer flat (`{message, type, …}`) or with the error as a string (unknown models).
  const dialectShaped = typeof body.message === 'string' || typeof body.error === 'string';
  if (!nested && !(dialectShapes && dialectShaped)) {
    return `error ${status} without an error object: ${answer.body.toString().slice(0, 200)}`;
  }
  return null;
}

export const describeCase = (c: FuzzCase) =>
  `#${c.index} ${c.kind} ${c.method} ${c.target.slice(0, 120)}${c.target.length > 120 ? '…' : ''} (head ${c.head.byteLength} B, body ${c.body.byteLength} B)`;
