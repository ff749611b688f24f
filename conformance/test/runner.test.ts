import { execFileSync } from 'node:child_process';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ConformanceConfigError,
  parseBaseline,
  parseConfigFile,
  renderJunit,
  renderPretty,
  runConformance,
  ServerUnreachableError,
  selectShard,
  toCurl,
} from '../src/index';
import { startEmbedded } from '../src/runner/embedded';

let server: RunningServer;
beforeAll(async () => {
  server = await start({ port: 0, dialect: 'spice', auth: { apiKeys: ['sk-conformance'] } });
});
afterAll(() => server.close());

describe('runConformance against a server of another dialect', () => {
  it('checks a Spice server with its profile: flat errors pass, undeclared capabilities skip with reasons', async () => {
    const report = await runConformance({
      baseUrl: `${server.url}/v1`,
      dialect: 'spice',
      apiKey: 'sk-conformance',
    });
    expect(report.exitCode).toBe(0);
    expect(report.baseUrl).toBe(server.url);
    const byId = new Map(report.results.map((r) => [r.id, r]));
    expect(byId.get('stream-errors.unknown-model.json')?.status).toBe('passed');
    expect(byId.get('auth.missing-credentials')?.status).toBe('passed');
    expect(byId.get('approvals.pause.json')).toMatchObject({
      status: 'skipped',
      message: "capability 'approvals' not declared (dialect spice; declare it in --config)",
    });
    expect(report.summary.passed + report.summary.skipped).toBe(CATALOGUE.length);
  });

  it('names the model it used and where it came from, in the report and the pretty header', async () => {
    const listed = await runConformance({
      baseUrl: server.url,
      dialect: 'spice',
      apiKey: 'sk-conformance',
      filter: ['models'],
    });
    expect(listed.model).toEqual({ id: 'threadline-mini', source: 'models-list' });
    expect(renderPretty(listed).split('\n')[1]).toBe(
      'model threadline-mini (the first of GET /v1/models; --model picks another)',
    );
    const chosen = await runConformance({
      baseUrl: server.url,
      dialect: 'spice',
      apiKey: 'sk-conformance',
      model: 'threadline-large',
      filter: ['chat.json.schema'],
    });
    expect(chosen.model).toEqual({ id: 'threadline-large', source: 'option' });
    const sent = server.server.journal.list().filter((e) => e.path === '/v1/chat/completions');
    expect(sent.at(-1)?.body).toMatchObject({ model: 'threadline-large' });
    expect(renderPretty(chosen).split('\n')[1]).toBe('model threadline-large (--model)');
    // Without the key GET /v1/models is refused: the checks name no model (the server's default).
    const refused = await runConformance({ baseUrl: server.url, dialect: 'spice', filter: ['models'] });
    expect(refused.model).toEqual({ id: '', source: 'server-default' });
  });

  it('fails auth checks when the server lets anyone in', async () => {
    const open = await start({ port: 0 });
    try {
      const report = await runConformance({
        baseUrl: open.url,
        dialect: 'openai',
        filter: ['auth'],
        apiKey: 'sk-anything',
      });
      expect(report.results.map((r) => [r.id, r.status])).toEqual([
        ['auth.missing-credentials', 'failed'],
        ['auth.missing-credentials-code', 'warning'],
        ['auth.missing-credentials-models', 'failed'],
        ['auth.wrong-key', 'failed'],
        ['auth.wrong-key-code', 'warning'],
      ]);
      const failure = report.results[0]!;
      expect(failure.expected).toBe('HTTP 401');
      expect(failure.got).toMatch(/^HTTP 200 /);
      expect(failure.curl).toBe(
        `curl -sS -X POST '${open.url}/v1/chat/completions' -H 'content-type: application/json' --data-binary '{"model":"threadline-mini","messages":[{"role":"user","content":"hello"}]}'`,
      );
    } finally {
      await open.close();
    }
  });

  it('without credentials does not fail an open server on auth, unless auth is declared', async () => {
    const open = await start({ port: 0 });
    try {
      const report = await runConformance({ baseUrl: open.url, dialect: 'openai' });
      expect(report.exitCode).toBe(0);
      const auth = report.results.filter((r) => r.capability === 'auth');
      expect(auth.length).toBeGreaterThan(0);
      for (const result of auth) {
        expect(result).toMatchObject({
          status: 'skipped',
          message:
            "capability 'auth' not checked: no credentials given (--api-key/--token); declare it in --config to check anyway",
        });
      }
      const declared = await runConformance({
        baseUrl: open.url,
        dialect: 'openai',
        capabilities: { auth: true },
      });
      expect(declared.results.find((r) => r.id === 'auth.missing-credentials')?.status).toBe('failed');
    } finally {
      await open.close();
    }
  });

  it('counts an Authorization header as credentials, and leaves it off the anonymous requests', async () => {
    const report = await runConformance({
      baseUrl: server.url,
      dialect: 'spice',
      headers: { Authorization: 'Bearer sk-conformance' },
      filter: ['auth', 'chat.json'],
    });
    expect(report.exitCode).toBe(0);
    const statuses = new Map(report.results.map((r) => [r.id, r.status]));
    expect(statuses.get('auth.missing-credentials')).toBe('passed');
    expect(statuses.get('auth.missing-credentials-models')).toBe('passed');
    expect(statuses.get('chat.json.schema')).toBe('passed');
  });

  it('declares or undeclares capabilities and supplies fixtures by option', async () => {
    const report = await runConformance({
      baseUrl: server.url,
      dialect: 'spice',
      apiKey: 'sk-conformance',
      capabilities: { runs: true, tools: false },
      filter: ['runs.unknown-id', 'tools.choice.none', 'stream-errors.failing-turn.json'],
      fixtures: { failingPrompt: 'x' },
    });
    expect(Object.fromEntries(report.results.map((r) => [r.id, r.status]))).toEqual({
      'runs.unknown-id': 'passed',
      'tools.choice.none': 'skipped',
      'stream-errors.failing-turn.json': 'skipped',
    });
  });

  it('reports an unreachable server and bad options as typed errors', async () => {
    await expect(runConformance({ baseUrl: 'http://127.0.0.1:9' })).rejects.toBeInstanceOf(
      ServerUnreachableError,
    );
    await expect(runConformance({ baseUrl: 'not a url' })).rejects.toBeInstanceOf(ConformanceConfigError);
    await expect(runConformance({ shard: { index: 0, count: 2 } })).rejects.toThrow(/invalid shard 0\/2/);
    await expect(runConformance({ capabilities: { telepathy: true } as never })).rejects.toThrow(
      /unknown capability 'telepathy'/,
    );
    await expect(runConformance({ timeoutMs: 0 })).rejects.toThrow(/timeout must be a positive number/);
    await expect(runConformance({ filter: ['models', 'modles'] })).rejects.toThrow(
      /^filter matches no check: modles \(/,
    );
  });

  it('times a check out at the per-check limit instead of hanging', async () => {
    const report = await runConformance({
      filter: ['chat.stream.done-terminator'],
      headers: { 'x-threadline-fault': 'stall-after=1' },
      timeoutMs: 300,
    });
    expect(report.results[0]).toMatchObject({ status: 'failed', id: 'chat.stream.done-terminator' });
    expect(report.results[0]!.message).toMatch(/^timed out: the per-check limit is 300 ms \(--timeout\)/);
  });

  it('stops when its signal aborts: checks in flight end at once and it rejects with the reason', async () => {
    const stop = new AbortController();
    const reason = new Error('stopped by the caller');
    const results: string[] = [];
    const started = performance.now();
    // Stalled streams would hold each check until its 60 s limit; the abort must not wait for that.
    const run = runConformance({
      filter: ['chat.stream'],
      headers: { 'x-threadline-fault': 'stall-after=1' },
      timeoutMs: 60_000,
      signal: stop.signal,
      onStart: () => setTimeout(() => stop.abort(reason), 200),
      onResult: (result) => results.push(result.id),
    });
    await expect(run).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(results).toEqual([]);
    await expect(runConformance({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('the embedded reference server', () => {
  it('lays out an upload directory, a bucket and an escaping link in a temporary directory it removes', async () => {
    const embedded = await startEmbedded();
    const { root, fixtures } = embedded;
    try {
      expect(fixtures).toMatchObject({
        ingestPath: 'conformance-handbook.md',
        ingestUri: 's3://threadline-conformance/handbook/',
        destructivePrompt: 'Please delete the draft Q3-plan.',
      });
      expect(await readFile(join(root, 'uploads', fixtures.ingestPath!), 'utf8')).toContain('TEAL-HERON-4');
      expect(await readFile(join(root, 'bucket', 'handbook', 'conformance-handbook.md'), 'utf8')).toContain(
        'TEAL-HERON-4',
      );
      if (process.platform !== 'win32') {
        const link = join(root, 'uploads', fixtures.ingestEscapingPath!);
        expect((await lstat(link)).isSymbolicLink()).toBe(true);
        expect(await readlink(link)).toBe(join(root, 'outside.md'));
      }
    } finally {
      await embedded.close();
    }
    await expect(lstat(root)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('accepts only the key of the run: none is 401, another is 401, its own is served', async () => {
    const embedded = await startEmbedded();
    try {
      const models = (authorization?: string) =>
        fetch(`${embedded.running.url}/v1/models`, { headers: authorization ? { authorization } : {} });
      expect(embedded.apiKey).toMatch(/^sk-conformance-[0-9a-f]{24}$/);
      expect((await models()).status).toBe(401);
      expect((await models('Bearer sk-guessed')).status).toBe(401);
      expect((await models(`Bearer ${embedded.apiKey}`)).status).toBe(200);
    } finally {
      await embedded.close();
    }
    const other = await startEmbedded();
    await other.close();
    expect(other.apiKey).not.toBe(embedded.apiKey);
  });

  it('accepts the caller’s key instead when one is given (--api-key without --base-url)', async () => {
    const embedded = await startEmbedded({ apiKey: 'sk-mine' });
    try {
      const answer = await fetch(`${embedded.running.url}/v1/models`, {
        headers: { authorization: 'Bearer sk-mine' },
      });
      expect(answer.status).toBe(200);
    } finally {
      await embedded.close();
    }
  });

  it('is checked with the whole threadline profile plus auth', async () => {
    const report = await runConformance({
      apiKey: 'sk-mine',
      filter: ['models', 'auth', 'ingest.file-path'],
    });
    expect(report.embedded).toBe(true);
    expect(report.capabilities).toEqual(expect.arrayContaining(['approvals', 'memory-session', 'auth']));
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['auth.missing-credentials', 'passed'],
      ['auth.missing-credentials-code', 'passed'],
      ['auth.missing-credentials-models', 'passed'],
      ['auth.wrong-key', 'passed'],
      ['auth.wrong-key-code', 'passed'],
      ['ingest.file-path', 'passed'],
      ['models.list-shape', 'passed'],
      ['models.retrieve', 'passed'],
      ['models.unknown-id', 'passed'],
    ]);
  });
});

describe('pieces', () => {
  it('shards are disjoint, cover everything and are stable', () => {
    const parts = [1, 2, 3, 4].map((index) => selectShard(CATALOGUE, { index, count: 4 }).map((c) => c.id));
    expect(parts.flat().sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
    expect(new Set(parts.flat()).size).toBe(CATALOGUE.length);
    expect(selectShard(CATALOGUE, { index: 2, count: 4 }).map((c) => c.id)).toEqual(parts[1]);
  });

  it('parses baselines as JSON arrays, json-reporter objects and commented text', () => {
    expect(parseBaseline('["a.b", "c.d"]')).toEqual(['a.b', 'c.d']);
    expect(parseBaseline('{"expectedFailures": ["a.b"]}')).toEqual(['a.b']);
    expect(parseBaseline('# header\na.b  # why\n\nc.d\n')).toEqual(['a.b', 'c.d']);
    expect(() => parseBaseline('{"nope": 1}')).toThrow(ConformanceConfigError);
    expect(() => parseBaseline('[1, 2]')).toThrow(/array of check ids/);
  });

  it('validates config files strictly', () => {
    expect(
      parseConfigFile('{"dialect":"ice","capabilities":{"files":true},"fixtures":{"ingestPath":"a.md"}}'),
    ).toEqual({
      dialect: 'ice',
      capabilities: { files: true },
      fixtures: { ingestPath: 'a.md' },
    });
    expect(() => parseConfigFile('{"dialect":"klingon"}')).toThrow(/dialect/);
    expect(() => parseConfigFile('{"capabilities":{"telepathy":true}}')).toThrow(ConformanceConfigError);
    expect(() => parseConfigFile('not json')).toThrow(/not valid JSON/);
  });

  it('curl repros quote shell metacharacters and regenerate big bodies', () => {
    expect(
      toCurl({
        method: 'POST',
        url: 'http://h/v1/x',
        headers: { a: "it's" },
        body: `{"q":"it's $HOME"}`,
        stream: true,
      }),
    ).toBe(`curl -sS -N -X POST 'http://h/v1/x' -H 'a: it'\\''s' --data-binary '{"q":"it'\\''s $HOME"}'`);
    expect(toCurl({ method: 'POST', url: 'http://h/', headers: {}, bodyBytes: 33554433 })).toBe(
      "curl -sS -X POST 'http://h/' --data-binary @<(head -c 33554433 /dev/zero)",
    );
  });

  it('curl repros stay on one line and bash reads every body back byte for byte', () => {
    const body = "# Title\n\nit's a \\ back\tslash\r\n\u0001 $HOME `x`";
    const curl = toCurl({ method: 'POST', url: 'http://h/', headers: {}, body });
    expect(curl).not.toContain('\n');
    const quoted = curl.slice(curl.indexOf('--data-binary ') + '--data-binary '.length);
    expect(execFileSync('bash', ['-c', `printf %s ${quoted}`]).toString()).toBe(body);
  });

  it('junit escapes what XML cannot hold and pretty ends with the summary line', async () => {
    const report = await runConformance({
      filter: ['chat.stream.same-id'],
      headers: { 'x-threadline-fault': 'changing-ids' },
    });
    const hostile = {
      ...report,
      results: report.results.map((r) => ({ ...r, message: 'a <b> & "c" \u0001' })),
    };
    const xml = renderJunit(hostile);
    expect(xml).toContain('message="a &lt;b&gt; &amp; &quot;c&quot; \uFFFD"');
    expect(xml).not.toContain('\u0001');
    expect(renderPretty(report).trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });
});
