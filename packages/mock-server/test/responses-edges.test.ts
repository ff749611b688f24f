import { ERROR_CODES, HEADERS } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { respond, responseBody, streamEvents, terminalOf } from './support/responses';
import { TARGETS } from './support/target';

describe.each(TARGETS)('/v1/responses requests at the edges (%s)', (_name, make) => {
  it('without input or previous_response_id is 400 missing_required_parameter', async () => {
    const target = await make();
    try {
      for (const body of [{}, { input: [] }, { input: null }]) {
        const response = await respond(target, body);
        expect(response.status).toBe(400);
        expect((await responseBody(response)).error).toMatchObject({
          code: ERROR_CODES.missingParameter,
          param: 'input',
        });
      }
    } finally {
      await target.close();
    }
  });

  it('names the bad field of a bad input item', async () => {
    const target = await make();
    try {
      const cases: Array<[unknown, string]> = [
        [[{ role: 'user', content: [{ type: 'input_text', text: 5 }] }], 'input[0].content[0].text'],
        [[{ type: 'mcp_approval_response', approval_request_id: 'x' }], 'input[0].approve'],
        [[{ type: 'item_reference', id: 'msg_never' }], 'input[0].id'],
      ];
      const text = { type: 'input_text', text: 'see' };
      cases.push(
        [
          [{ role: 'user', content: [text, { type: 'input_image', image_url: 'data:nonsense' }] }],
          'input[0].content[1].image_url',
        ],
        [
          [
            { role: 'user', content: 'first' },
            { role: 'user', content: [{ type: 'input_file', file_id: 'file-nope' }] },
          ],
          'input[1].content[0].file_id',
        ],
        [
          [{ role: 'user', content: [{ type: 'input_file', file_data: '%%%' }] }],
          'input[0].content[0].file_data',
        ],
      );
      for (const [input, param] of cases) {
        // Instructions come first in the turn: the reported item index still counts input items only.
        const response = await respond(target, { input, instructions: 'Be brief.' });
        expect(response.status).toBe(400);
        expect((await responseBody(response)).error.param).toBe(param);
      }
    } finally {
      await target.close();
    }
  });

  it('answers every malformed body with a typed 400, never a 500', async () => {
    const target = await make();
    try {
      const bodies: unknown[] = [
        [],
        'text',
        null,
        { model: 5, input: 'hi' },
        { input: 5 },
        { input: [5] },
        { input: [{}] },
        { input: [{ type: 'message' }] },
        { input: [{ role: 'robot', content: 'x' }] },
        { input: [{ type: 'function_call', call_id: 'c', name: 'bad name', arguments: '{}' }] },
        { input: 'hi', tools: 'x' },
        { input: 'hi', tools: [{ type: 'function' }] },
        { input: 'hi', tool_choice: 5 },
        { input: 'hi', previous_response_id: '' },
        { input: 'hi', store: 'yes' },
        { input: 'hi', stream: 'yes' },
        { input: 'hi', max_output_tokens: 'many' },
        { input: 'hi', metadata: { a: 5 } },
        { input: 'hi', text: { format: { type: 'bogus' } } },
        { input: 'hi', instructions: 5 },
      ];
      for (const body of bodies) {
        const response = await target.fetch('/v1/responses', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status, JSON.stringify(body)).toBe(400);
        const error = (await responseBody(response)).error;
        expect(error.type).toBe('invalid_request_error');
        expect(typeof error.code).toBe('string');
      }
    } finally {
      await target.close();
    }
  });

  it('carries the run id header, which is the response id', async () => {
    const target = await make();
    try {
      const response = await respond(target, { input: 'hi' });
      const body = await responseBody(response);
      expect(response.headers.get(HEADERS.runId)).toBe(body.id);
    } finally {
      await target.close();
    }
  });

  it('applies the api-key auth of the dialect', async () => {
    const target = await make({ dialect: 'openai', auth: { apiKeys: ['sk-good'] } });
    try {
      const missing = await respond(target, { input: 'hi' });
      expect(missing.status).toBe(401);
      await responseBody(missing);
      const good = await respond(target, { input: 'hi' }, { authorization: 'Bearer sk-good' });
      expect(good.status).toBe(200);
      await responseBody(good);
    } finally {
      await target.close();
    }
  });

  it('empty-success turns an unknown model into an empty completed response (a violation to catch)', async () => {
    const target = await make();
    try {
      const events = await streamEvents(
        await respond(
          target,
          { model: 'no-such-model', input: 'hi', stream: true },
          { 'x-threadline-fault': 'empty-success' },
        ),
      );
      const final = terminalOf(events);
      expect(final.status).toBe('completed');
      expect(final.output[0].content[0].text).toBe('');
    } finally {
      await target.close();
    }
  });
});

it('refuses a body over 32 MiB with 413 before reading it', async () => {
  const server = createMockServer();
  const response = await server.fetch(
    new Request('http://threadline.test/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(32 * 1024 * 1024 + 1) },
      body: '{}',
    }),
  );
  expect(response.status).toBe(413);
  expect((await responseBody(response)).error.code).toBe('payload_too_large');
});
