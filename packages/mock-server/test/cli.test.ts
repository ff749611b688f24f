import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const demoDir = fileURLToPath(new URL('../demo', import.meta.url));
let dir: string;
let cli: string;

// The CLI is bundled from source for the test, so it checks this tree whether or not dist/ was built.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-cli-'));
  cli = join(dir, 'cli.mjs');
  await build({
    entryPoints: [source],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    conditions: ['@threadline/source'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
}, 60_000);

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function listening(server: Run): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!server.stdout().includes('\n')) {
    if (Date.now() > deadline) throw new Error(`no listening line; stderr: ${server.stderr()}`);
    if (server.child.exitCode !== null) throw new Error(`exited early: ${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(server.stdout());
  expect(match, `stdout was ${JSON.stringify(server.stdout())}`).not.toBeNull();
  return match![1]!;
}

describe('threadline-mock CLI', () => {
  const started: Run[] = [];
  afterAll(() => {
    for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('prints exactly one line when ready, serves, and exits cleanly on SIGTERM', async () => {
    const server = run(['--port', '0']);
    started.push(server);
    const url = await listening(server);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: '', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect((await response.json()).choices[0].message.content).toBe('You said: hi');
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
    expect(server.stdout()).toBe(`listening on ${url}\n`);
    expect(server.stderr()).toBe('');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('--db FILE keeps memory and runs across a restart of the process', async () => {
    const db = join(dir, 'cli.db');
    const session = { 'x-session-id': 'cli-db', 'content-type': 'application/json' };
    const say = (url: string, content: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: session,
        body: JSON.stringify({ model: '', messages: [{ role: 'user', content }] }),
      }).then((r) => r.json());
    const first = run(['--port', '0', '--db', db]);
    started.push(first);
    const firstUrl = await listening(first);
    const { id: runId } = await say(firstUrl, 'The vault word is OSPREY-31.');
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = run(['--port', '0', '--db', db]);
    started.push(second);
    const url = await listening(second);
    expect((await say(url, 'What is the vault word?')).choices[0].message.content).toContain('OSPREY-31');
    expect((await (await fetch(`${url}/v1/runs/${runId}`)).json()).status).toBe('completed');
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    expect(first.stderr() + second.stderr()).toBe('');
  });

  it('exits cleanly on SIGINT, even with a stream open', async () => {
    const server = run(['--port', '0', '--chunk-delay', '200']);
    started.push(server);
    const url = await listening(server);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: '',
        stream: true,
        messages: [{ role: 'user', content: 'a long enough message' }],
      }),
    });
    expect(response.status).toBe(200);
    server.child.kill('SIGINT');
    expect(await server.exit).toBe(0);
    await response.text().catch(() => '');
  });

  it('applies --config, --dialect, --fault and --chunk-delay', async () => {
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      'models: [from-file]\nfixtures:\n  - match: { userText: ping }\n    reply: { text: pong }\n',
    );
    const server = run([
      '--config',
      config,
      '--dialect',
      'spice',
      '--fault',
      'should-retry=false',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ]);
    started.push(server);
    const url = await listening(server);
    const headers = { authorization: 'Bearer any-key' };
    const models = await (await fetch(`${url}/v1/models`, { headers })).json();
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(['from-file']);
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: '', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(answer.headers.get('x-should-retry')).toBe('false');
    expect((await answer.json()).choices[0].message.content).toBe('pong');
    // Spice dialect: API keys are required and errors are flat.
    const unauthorised = await fetch(`${url}/v1/models`);
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ code: 'missing_credentials' });
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('serves the demo set with no --config; --upload-dir, --bucket and --no-control apply', async () => {
    const server = run([
      '--port',
      '0',
      '--upload-dir',
      demoDir,
      '--bucket',
      `docs=${demoDir}`,
      '--no-control',
    ]);
    started.push(server);
    const url = await listening(server);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const say = (text: string) => ({ model: '', messages: [{ role: 'user', content: text }] });
    const lookup = await (await post('/v1/chat/completions', say('Please look up order A-1001.'))).json();
    expect(lookup.choices[0].message.content).toContain('lookup_order returned');
    const paused = await (await post('/v1/chat/completions', say('Please delete the draft Q3-plan.'))).json();
    expect(paused.choices[0].message.tool_calls[0].function.name).toBe('delete_draft');
    const session = { 'x-session-id': 'cli' };
    const ingested = await post('/v1/ingest?uri=s3://docs/threadline-demo.md', undefined, session);
    expect(ingested.status).toBe(200);
    const answer = await (
      await post('/v1/chat/completions', say('What is the launch code?'), session)
    ).json();
    expect(answer.choices[0].message.content).toContain('AMBER-FALCON-7');
    expect((await fetch(`${url}/__threadline/journal`)).status).toBe(404);
    expect((await fetch(`${url}/__threadline/fixtures`)).status).toBe(404);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('documents every flag in --help', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    for (const flag of [
      '--port',
      '--host',
      '--config',
      '--dialect',
      '--fault',
      '--chunk-delay',
      '--upload-dir',
      '--bucket',
      '--db',
      '--no-control',
      '--control-token',
      '--help',
    ]) {
      expect(help.stdout()).toContain(flag);
    }
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'eighty'], /--port must be a whole number/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--dialect', 'klingon'], /--dialect must be one of threadline, ice, ingram, spice, openai/],
    [['--fault', 'explode'], /--fault: unknown fault "explode"/],
    [['--chunk-delay', '-5'], /chunk-delay/],
    [['--config', '/nonexistent/threadline.yaml'], /cannot read config file/],
    [['--bucket', 'nodir'], /--bucket must look like NAME=DIR/],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const bad = run(args);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(message);
    expect(bad.stdout()).toBe('');
  });
});
