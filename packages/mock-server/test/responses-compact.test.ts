import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@threadline/protocol';
import { compactResourceSchema } from '@threadline/protocol/schemas';
import OpenAI, { BadRequestError } from 'openai';
import { describe, expect, it } from 'vitest';
import { assertSpecValid } from '../../protocol/test/support/openapi';
import { start } from '../src/index';
import { respond, responseBody } from './support/responses';
import { postJson, TARGETS, type Target } from './support/target';

const MODEL = 'threadline-mini';

const weather = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const compact = (target: Target, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(target, '/v1/responses/compact', body, headers);

/** A compact answer, checked against OpenAI's document and the protocol schema. */
async function compactBody(response: Response) {
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = await response.json();
  if (response.status !== 200) {
    assertSpecValid('openai', 'ErrorResponse', body);
    return body;
  }
  assertSpecValid('openai', 'CompactResource', body);
  expect(compactResourceSchema.safeParse(body).success).toBe(true);
  return body;
}

async function compactionOf(target: Target, body: Record<string, unknown>, headers = {}) {
  const response = await compact(target, { model: MODEL, ...body }, headers);
  expect(response.status).toBe(200);
  const resource = await compactBody(response);
  expect(resource.object).toBe('response.compaction');
  const item = resource.output.at(-1);
  expect(item).toMatchObject({ type: 'compaction' });
  return item as { type: 'compaction'; id: string; encrypted_content: string };
}

describe.each(TARGETS)('POST /v1/responses/compact (%s)', (_name, make) => {
  it('compacts a conversation into an item that /v1/responses continues from', async () => {
    const target = await make();
    try {
      const first = await responseBody(
        await respond(target, { input: 'What is the weather in Paris?', tools: [weather] }),
      );
      const call = first.output[0];
      expect(call.type).toBe('function_call');
      const item = await compactionOf(target, {
        input: [
          { role: 'user', content: 'What is the weather in Paris?' },
          { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        ],
      });
      // The output answers the call the compacted conversation holds: without it, a 400.
      const output = { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":19}' };
      const bare = await respond(target, { tools: [weather], input: [output] });
      expect(bare.status).toBe(400);
      const next = await responseBody(await respond(target, { tools: [weather], input: [item, output] }));
      expect(next.status).toBe('completed');
      expect(next.output[0].type).toBe('message');
      expect(next.output[0].content[0].text).toContain('{"temp_c":19}');
    } finally {
      await target.close();
    }
  });

  it('compacts the chain of previous_response_id, and the compaction carries it on', async () => {
    const target = await make();
    try {
      const first = await responseBody(await respond(target, { input: 'Remember the word marigold.' }));
      const item = await compactionOf(target, { previous_response_id: first.id, input: 'And then?' });
      const withIt = await responseBody(
        await respond(target, { input: [item, { role: 'user', content: 'ok' }] }),
      );
      const without = await responseBody(await respond(target, { input: 'ok' }));
      // The compacted turns are in the prompt: two user messages and a reply more than the bare input.
      expect(withIt.usage.input_tokens).toBeGreaterThan(without.usage.input_tokens);
      const resent = await responseBody(
        await respond(target, { previous_response_id: withIt.id, input: 'again' }),
      );
      expect(resent.usage.input_tokens).toBeGreaterThan(withIt.usage.input_tokens);
    } finally {
      await target.close();
    }
  });

  it('an edited, foreign or unknown-format encrypted_content is a clean 400 at its field', async () => {
    const target = await make();
    try {
      const item = await compactionOf(target, { input: 'Hello' });
      const content = item.encrypted_content;
      const [tag, payload, mac] = content.split('.');
      const flipped = payload!.startsWith('A') ? `B${payload!.slice(1)}` : `A${payload!.slice(1)}`;
      for (const bad of [
        `${tag}.${flipped}.${mac}`,
        `${content.slice(0, -1)}${content.endsWith('0') ? '1' : '0'}`,
        'not-a-compaction',
        `${tag}.`,
      ]) {
        const response = await respond(target, { input: [{ ...item, encrypted_content: bad }] });
        expect(response.status).toBe(400);
        const body = await responseBody(response);
        expect(body.error).toMatchObject({
          code: ERROR_CODES.invalidValue,
          param: 'input[0].encrypted_content',
        });
      }
      // Compacting a compaction reads it back too, with the same checks.
      const again = await compact(target, { model: MODEL, input: [{ ...item, encrypted_content: 'x' }] });
      expect(again.status).toBe(400);
      expect((await compactBody(again)).error.param).toBe('input[0].encrypted_content');
    } finally {
      await target.close();
    }
  });

  it("another caller's compaction is refused, as their chain would be", async () => {
    const target = await make({ auth: { mode: 'api-key' } });
    try {
      const alice = { authorization: 'Bearer key-alice-0001' };
      const bob = { authorization: 'Bearer key-bob-000002' };
      const item = await compactionOf(target, { input: 'A secret of mine' }, alice);
      expect((await respond(target, { input: [item] }, alice)).status).toBe(200);
      const stolen = await respond(target, { input: [item] }, bob);
      expect(stolen.status).toBe(400);
      expect((await responseBody(stolen)).error.message).toContain('another caller');
    } finally {
      await target.close();
    }
  });

  it('requires model (400 param model); an unknown model is 404; nothing to compact is 400', async () => {
    const target = await make();
    try {
      const missing = await compact(target, { input: 'Hello' });
      expect(missing.status).toBe(400);
      expect((await compactBody(missing)).error.param).toBe('model');
      const unknown = await compact(target, { model: 'no-such-model', input: 'Hello' });
      expect(unknown.status).toBe(404);
      expect((await compactBody(unknown)).error.param).toBe('model');
      const empty = await compact(target, { model: MODEL });
      expect(empty.status).toBe(400);
      expect((await compactBody(empty)).error.param).toBe('input');
      const gone = await compact(target, { model: MODEL, previous_response_id: 'run_never' });
      expect(gone.status).toBe(404);
      expect((await compactBody(gone)).error.code).toBe(ERROR_CODES.previousResponseNotFound);
    } finally {
      await target.close();
    }
  });

  it('a compaction from another server instance is refused (it is signed with that server secret)', async () => {
    const issuer = await make();
    const other = await make();
    try {
      const item = await compactionOf(issuer, { input: 'Hello' });
      const response = await respond(other, { input: [item] });
      expect(response.status).toBe(400);
      expect((await responseBody(response)).error.param).toBe('input[0].encrypted_content');
    } finally {
      await issuer.close();
      await other.close();
    }
  });
});

describe.each(TARGETS)('compaction and db (%s)', (_name, make) => {
  it('a compaction issued before a restart on the same db file is read after it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'threadline-compact-'));
    const db = join(dir, 'state.db');
    try {
      const before = await make({ db });
      const item = await compactionOf(before, { input: 'Hello before the restart' });
      await before.close();
      const after = await make({ db });
      try {
        const next = await responseBody(
          await respond(after, { input: [item, { role: 'user', content: 'hi' }] }),
        );
        expect(next.status).toBe('completed');
      } finally {
        await after.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('responses.compact with the official openai SDK', () => {
  it('compacts, and the compacted output continues as input; a bad one is a BadRequestError', async () => {
    const running = await start({ port: 0 });
    const client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
    try {
      const first = await client.responses.create({ model: MODEL, input: 'Plan the launch checklist.' });
      const compacted = await client.responses.compact({ model: MODEL, previous_response_id: first.id });
      assertSpecValid('openai', 'CompactResource', compacted);
      expect(compacted.object).toBe('response.compaction');
      const next = await client.responses.create({
        model: MODEL,
        input: [...(compacted.output as never[]), { role: 'user', content: 'Thanks' }],
      });
      expect(next.output_text).toBe('You said: Thanks');
      const error = await client.responses
        .create({ model: MODEL, input: [{ type: 'compaction', encrypted_content: 'forged' } as never] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param).toBe('input[0].encrypted_content');
    } finally {
      await running.close();
    }
  });
});
