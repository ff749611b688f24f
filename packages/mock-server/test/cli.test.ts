import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliRun, listening, runCli } from './support/cli';

const demoDir = fileURLToPath(new URL('../demo', import.meta.url));
let dir: string;
let cli: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-cli-'));
  cli = await buildCli(dir);
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (args: string[]): CliRun => runCli(cli, args);

describe('threadline-mock CLI', () => {
  const started: CliRun[] = [];
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
    expect(server.stdout()).toBe(`listening on ${url}\n`);
    expect(server.stderr()).toBe('');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
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
      '--chunk-delay',
      '60',
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
    // --chunk-delay spaces the frames of a stream (three or more: at least two pauses of 60 ms).
    const sentAt = performance.now();
    const streamed = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: '', stream: true, messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(await streamed.text()).toContain('data: [DONE]');
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(110);
    // Spice dialect: API keys are required and errors are flat.
    const unauthorised = await fetch(`${url}/v1/models`);
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ code: 'missing_credentials' });
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('binds --host and a given --port, and prints them in its one line', async () => {
    const free = createServer();
    await new Promise<void>((done) => free.listen(0, '127.0.0.1', done));
    const wanted = (free.address() as AddressInfo).port;
    await new Promise((done) => free.close(done));
    const server = run(['--port', String(wanted), '--host', '0.0.0.0']);
    started.push(server);
    const deadline = Date.now() + 15_000;
    while (!server.stdout().includes('\n') && server.child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const port = /^listening on http:\/\/0\.0\.0\.0:(\d+)\n$/.exec(server.stdout())?.[1];
    expect(port, server.stdout() + server.stderr()).toBe(String(wanted));
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
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

  it('documents every flag in --help, one described line each, and in docs/mock-server.md', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    const flags = [
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
      '--version',
    ];
    // A flag line: the flag, its argument, at least two spaces, then its description.
    const listed = help
      .stdout()
      .split('\n')
      .flatMap((line) => /^\s+(?:-\w, )?(--[a-z-]+)(?: [A-Z=]+)?\s{2,}\S/.exec(line)?.[1] ?? []);
    expect(listed).toEqual(flags);
    for (const short of ['-p, --port', '-c, --config', '-h, --help']) expect(help.stdout()).toContain(short);
    const docs = await readFile(
      fileURLToPath(new URL('../../../docs/mock-server.md', import.meta.url)),
      'utf8',
    );
    for (const flag of flags) expect(docs).toMatch(new RegExp(`^\\| \`${flag}[ \`]`, 'm'));
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
