import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_JSON_DEPTH } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config-file';
import { jsonDepthOver } from '../src/internal/json';
import { chat, errorOf, postJson, TARGETS, type Target, userSays } from './support/target';

/** `[[[…1…]]]` nested `depth` levels. */
const deepArray = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** `{"a":{"a":…1…}}` nested `depth` levels. */
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A chat body (text) whose `key` holds `value`, raw JSON text placed as is. */
const chatWith = (key: string, value: string) =>
  `{"model":"","messages":[{"role":"user","content":"hi"}],"${key}":${value}}`;

const dir = mkdtempSync(join(tmpdir(), 'threadline-deep-'));
writeFileSync(join(dir, 'deep.json'), deepObject(5_000));
writeFileSync(join(dir, 'fine.json'), JSON.stringify({ a: { b: { c: 'PANGOLIN-9' } } }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expectTooDeep = async (response: Response) => {
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(await errorOf(response)).toMatchObject({
    status: 400,
    type: 'invalid_request_error',
    code: 'json_too_deep',
    message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`),
  });
};

const journal = async (target: Target) => {
  const response = await target.fetch('/__threadline/journal');
  expect(response.status).toBe(200);
  return (await response.json()).entries as Array<{ path: string; status: number; body: unknown }>;
};

describe.each(TARGETS)('JSON nested too deep (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ uploadDir: dir });
  });
  afterAll(async () => target.close());

  it('refuses a chat body nested 5,000 and 100,000 levels with 400 json_too_deep', async () => {
    for (const depth of [5_000, 100_000]) {
      await expectTooDeep(
        await postJson(target, '/v1/chat/completions', chatWith('metadata', deepArray(depth))),
      );
      await expectTooDeep(await postJson(target, '/v1/chat/completions', deepObject(depth)));
    }
  });

  it('keeps the journal readable after deep bodies, and the server answering', async () => {
    const entries = await journal(target);
    const refused = entries.filter((e) => e.path === '/v1/chat/completions' && e.status === 400);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    // Nothing of a refused body is kept.
    for (const entry of refused) expect(entry.body).toBeNull();
    const ok = await chat(target, { messages: userSays('still there?') });
    expect(ok.status).toBe(200);
    expect((await journal(target)).at(-1)).toMatchObject({ status: 200 });
  });

  it('accepts nesting up to the limit and refuses one level more', async () => {
    // The body itself is one level; response_format, json_schema and schema three more.
    const schemaAt = (depth: number) => {
      let schema = '{"type":"string"}';
      for (let d = 4; d < depth - 1; d += 2) schema = `{"type":"object","properties":{"a":${schema}}}`;
      return schema;
    };
    const body = (depth: number) =>
      chatWith(
        'response_format',
        `{"type":"json_schema","json_schema":{"name":"x","schema":${schemaAt(depth)}}}`,
      );
    const depthOf = (text: string) => {
      let depth = 0;
      let max = 0;
      for (const c of text) {
        if (c === '{' || c === '[') max = Math.max(max, ++depth);
        if (c === '}' || c === ']') depth--;
      }
      return max;
    };
    const fits = body(MAX_JSON_DEPTH + 1);
    expect(depthOf(fits)).toBeLessThanOrEqual(MAX_JSON_DEPTH);
    expect((await postJson(target, '/v1/chat/completions', fits)).status).toBe(200);
    const over = chatWith('metadata', deepArray(MAX_JSON_DEPTH));
    expect(depthOf(over)).toBe(MAX_JSON_DEPTH + 1);
    await expectTooDeep(await postJson(target, '/v1/chat/completions', over));
  });

  it('counts no bracket inside a string, escaped quotes included', async () => {
    const text = `say \\"${'['.repeat(10_000)}{{{`;
    const response = await postJson(
      target,
      '/v1/chat/completions',
      `{"model":"","messages":[{"role":"user","content":"${text}"}]}`,
    );
    expect(response.status).toBe(200);
  });

  it('refuses deep tool parameters with 400', async () => {
    const tools = `[{"type":"function","function":{"name":"f","parameters":${deepObject(5_000)}}}]`;
    await expectTooDeep(await postJson(target, '/v1/chat/completions', chatWith('tools', tools)));
  });

  it('refuses a deep fixture and stores nothing', async () => {
    const fixture = `{"match":{"userText":"x"},"reply":{"content":"y"},"extra":${deepArray(5_000)}}`;
    await expectTooDeep(await postJson(target, '/__threadline/fixtures', fixture));
    await expectTooDeep(await postJson(target, '/__threadline/fixtures', `[${fixture}]`));
    const listed = await (await target.fetch('/__threadline/fixtures')).json();
    expect(listed.fixtures).toEqual([]);
  });

  it('refuses a deep fault body', async () => {
    await expectTooDeep(
      await postJson(target, '/__threadline/faults', `{"fault":"quota","x":${deepArray(5_000)}}`),
    );
    expect((await (await target.fetch('/__threadline/faults')).json()).queued).toEqual([]);
  });

  it('refuses a deep .json document (body or upload folder) and remembers nothing of it', async () => {
    const headers = { 'x-session-id': 'deep-doc' };
    const sent = await target.fetch('/v1/ingest?filename=deep.json', {
      method: 'POST',
      headers,
      body: deepArray(100_000),
    });
    await expectTooDeep(sent);
    await expectTooDeep(await target.fetch('/v1/ingest?file_path=deep.json', { method: 'POST', headers }));
    expect(target.server.memory.scopes()).toEqual([]);
    // A shallow one still goes in.
    const fine = await target.fetch('/v1/ingest?file_path=fine.json', { method: 'POST', headers });
    expect(fine.status).toBe(200);
  });
});

describe('the depth check', () => {
  // Small bodies are scanned byte by byte, text and large bodies with a quote search: same answers.
  const samples = [
    '{"a":"[[[[","b":[1,[2]]}',
    '{"a":"x\\\\"}',
    '{"a":"x\\"[[[["}',
    '{"a":"\\\\\\"[[["}',
    '["unterminated [[[[',
    '[[[[',
    `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`,
    `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`,
    `{"k":"${'\\'.repeat(8)}"${'{'.repeat(MAX_JSON_DEPTH + 1)}`,
    `{"k":"\\"${'['.repeat(MAX_JSON_DEPTH + 1)}`,
    '{"caf\u00e9":"été [[[","x":[{}]}',
  ];

  it('gives the same answer for bytes and text, in strings, escapes and at the limit', () => {
    const encoder = new TextEncoder();
    const answers = samples.map((text) => jsonDepthOver(text));
    expect(answers.filter(Boolean)).toHaveLength(2);
    for (const [i, text] of samples.entries()) {
      expect(jsonDepthOver(encoder.encode(text))).toBe(answers[i]);
      // The same text past the small-body size, padded with spaces after it.
      expect(jsonDepthOver(encoder.encode(text + ' '.repeat(5_000)))).toBe(answers[i]);
    }
  });
});

describe('the journal itself', () => {
  it('lists an entry whose body cannot be turned into JSON instead of failing', async () => {
    const { inProcess } = await import('./support/target');
    const target = await inProcess();
    let nested: unknown = 1;
    for (let i = 0; i < 20_000; i++) nested = [nested];
    target.server.journal.record({
      startedAt: Date.now(),
      method: 'POST',
      path: '/plugin',
      query: '',
      headers: () => [],
      body: nested,
      status: 200,
      runId: null,
      requestId: 'req_plugin',
      tenant: null,
    } as Parameters<typeof target.server.journal.record>[0]);
    const entries = await journal(target);
    expect(entries.at(-1)).toMatchObject({ path: '/plugin', body: { unserializable: true } });
  });
});

describe('config files', () => {
  it('refuses a JSON config file nested too deep with a ConfigError, not a crash', async () => {
    const file = join(dir, 'deep-config.json');
    writeFileSync(file, `{"fixtures":${deepArray(100_000)}}`);
    await expect(loadConfigFile(file)).rejects.toThrow(/does not parse.*64 levels/);
  });
});
