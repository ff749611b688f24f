import { chatCompletionRequestSchema, responsesRequestSchema } from '@threadline/protocol/schemas';
import { describe, expect, it } from 'vitest';
import { plainChatRequest, plainResponsesRequest } from '../src/internal/plain-requests';

// The fast paths must give what the schema gives, key order included, and step aside for anything else.
const same = (fast: unknown, schema: { success: boolean; data?: unknown }) => {
  expect(schema.success).toBe(true);
  expect(fast).toEqual(schema.data);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
};

describe('the plain chat request fast path', () => {
  it.each([
    { model: 'threadline-mini', messages: [{ role: 'user', content: 'hi' }] },
    { messages: [{ content: 'hi', role: 'user' }], stream: true, model: '' },
    {
      stream: null,
      messages: [
        { role: 'system', content: 's', name: 'n' },
        { role: 'assistant', content: '' },
      ],
    },
    {
      messages: [
        { role: 'developer', content: 'd' },
        { role: 'user', content: 'u', name: 'x' },
      ],
      stream: false,
    },
  ])('gives the schema result for %j', (body) => {
    const fast = plainChatRequest(body);
    expect(fast).not.toBeNull();
    same(fast, chatCompletionRequestSchema.safeParse(body));
  });

  it.each([
    [
      'a sampling field the schema range-checks',
      { messages: [{ role: 'user', content: 'x' }], temperature: 9 },
    ],
    ['an unknown top-level key', { messages: [{ role: 'user', content: 'x' }], extra: 1 }],
    ['no messages', { messages: [] }],
    ['a null model', { model: null, messages: [{ role: 'user', content: 'x' }] }],
    ['content parts', { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] }],
    ['a tool message', { messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }] }],
    ['an unknown role', { messages: [{ role: 'robot', content: 'x' }] }],
    ['a message key the schema strips', { messages: [{ role: 'user', content: 'x', tool_calls: [] }] }],
    ['a non-boolean stream', { messages: [{ role: 'user', content: 'x' }], stream: 'yes' }],
    ['a numeric name', { messages: [{ role: 'user', content: 'x', name: 3 }] }],
    ['a __proto__ key', JSON.parse('{"messages":[{"role":"user","content":"x"}],"__proto__":{}}')],
    ['an array', [{ role: 'user', content: 'x' }]],
  ])('steps aside for %s', (_what, body) => {
    expect(plainChatRequest(body)).toBeNull();
  });
});

describe('the plain Responses request fast path', () => {
  it.each([
    { model: 'threadline-mini', input: 'hi' },
    { stream: true, input: 'hi', store: false, instructions: 'be brief', model: null },
    { input: '', instructions: null, stream: null, store: null },
  ])('gives the schema result for %j', (body) => {
    const fast = plainResponsesRequest(body);
    expect(fast).not.toBeNull();
    same(fast, responsesRequestSchema.safeParse(body));
  });

  it.each([
    ['input items', { input: [{ role: 'user', content: 'x' }] }],
    ['no input', { model: 'm' }],
    ['previous_response_id', { input: 'x', previous_response_id: 'resp_1' }],
    ['a range-checked field', { input: 'x', top_p: 3 }],
    ['a non-string model', { input: 'x', model: 5 }],
    ['a non-boolean store', { input: 'x', store: 'no' }],
  ])('steps aside for %s', (_what, body) => {
    expect(plainResponsesRequest(body)).toBeNull();
  });
});
