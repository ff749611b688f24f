import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, postJson, TARGETS, type Target, userSays } from './support/target';

const CHAT = JSON.stringify({ model: 'threadline-mini', messages: [{ role: 'user', content: 'hello' }] });
const RESPONSES = JSON.stringify({ model: 'threadline-mini', input: 'hello' });

/** How many runs and ingested scopes the server holds: a refused body must add to neither. */
async function held(target: Target) {
  const health = await (await target.fetch('/health')).json();
  return { runs: health.stores.runs.entries, scopes: target.server.memory.scopes().length };
}

describe.each(TARGETS)('a compressed request body (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  const doors: Array<[string, string, string]> = [
    ['chat', '/v1/chat/completions', CHAT],
    ['responses', '/v1/responses', RESPONSES],
    ['responses compact', '/v1/responses/compact', RESPONSES],
    ['ingest', '/v1/ingest?filename=notes.txt', 'The ferry leaves at nine.'],
    ['fixtures', '/__threadline/fixtures', '{"match":{"userText":"x"},"reply":{"text":"y"}}'],
  ];

  it.each(doors)(
    'is 415 unsupported_content_encoding on %s, and nothing is kept',
    async (_door, path, text) => {
      const before = await held(target);
      for (const [encoding, body] of [
        ['gzip', gzipSync(text)],
        // Labelled compressed but sent plain: a real server would try to decode it, so it is refused too.
        ['br', Buffer.from(text)],
        [' Deflate ', Buffer.from(text)],
      ] as const) {
        const response = await target.fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'x-session-id': 's1' },
          body,
        });
        expect(response.status).toBe(415);
        const { error } = await response.json();
        expect(error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_content_encoding' });
        expect(error.message).toContain(`'${encoding.trim()}'`);
      }
      expect(await held(target)).toEqual(before);
      const fixtures = await (await target.fetch('/__threadline/fixtures')).json();
      expect(fixtures.fixtures).toEqual([]);
    },
  );

  it('takes a body labelled identity (or with an empty label) as it is', async () => {
    for (const encoding of ['identity', 'IDENTITY', '']) {
      const response = await chat(target, { messages: userSays('hello') }, { 'content-encoding': encoding });
      expect(response.status).toBe(200);
    }
    const plain = await postJson(target, '/v1/responses', RESPONSES, { 'content-encoding': 'identity' });
    expect(plain.status).toBe(200);
  });
});
