import { describe, expect, it } from 'vitest';
import {
  errorBodySchema,
  fileObjectSchema,
  functionToolSchema,
  ingestResponseSchema,
  messageSchema,
  modelListSchema,
  runRecordSchema,
  toolChoiceSchema,
  usageSchema,
} from '../src/schemas/index';

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(true);
const bad = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) =>
  expect(schema.safeParse(value).success, JSON.stringify(value)).toBe(false);

describe('tools and tool_choice', () => {
  it('accept the four tool_choice forms and nothing else', () => {
    for (const choice of ['auto', 'none', 'required', { type: 'function', function: { name: 'f' } }]) {
      ok(toolChoiceSchema, choice);
    }
    for (const choice of [
      'always',
      { type: 'function', function: {} },
      { type: 'tool', function: { name: 'f' } },
    ]) {
      bad(toolChoiceSchema, choice);
    }
  });

  it('hold tool names to what OpenAI accepts', () => {
    const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });
    ok(functionToolSchema, tool('get_weather-2'));
    for (const name of ['get weather', '', 'x'.repeat(65), 'dot.name']) bad(functionToolSchema, tool(name));
  });
});

describe('messages', () => {
  it('need a tool_call_id on tool messages and a role they know', () => {
    ok(messageSchema, { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' });
    bad(messageSchema, { role: 'tool', content: 'no id' });
    bad(messageSchema, { role: 'function', content: 'x' });
    ok(messageSchema, { role: 'assistant', content: null, tool_calls: [] });
    bad(messageSchema, { role: 'user', content: null });
    bad(messageSchema, { role: 'user', content: [{ type: 'image_url', image_url: { url: '' } }] });
  });
});

describe('usage', () => {
  it('takes the token details and refuses counts that are not whole and non-negative', () => {
    const usage = {
      prompt_tokens: 11,
      completion_tokens: 7,
      total_tokens: 18,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 2,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    ok(usageSchema, usage);
    bad(usageSchema, { ...usage, completion_tokens: -1 });
    bad(usageSchema, { ...usage, completion_tokens_details: { reasoning_tokens: 0.5 } });
    bad(usageSchema, { prompt_tokens: 1, completion_tokens: 1 });
  });
});

describe('resources', () => {
  it('models list', () => {
    ok(modelListSchema, { object: 'list', data: [] });
    bad(modelListSchema, { object: 'list', data: [{ object: 'model', created: 0, owned_by: 'x' }] });
  });

  it('file object', () => {
    const file = {
      id: 'file-abc',
      object: 'file',
      bytes: 5,
      created_at: 1,
      filename: 'a.txt',
      purpose: 'user_data',
      mime_type: 'text/plain',
    };
    ok(fileObjectSchema, file);
    bad(fileObjectSchema, { ...file, object: 'blob' });
    bad(fileObjectSchema, { ...file, bytes: -1 });
  });

  it('ingest response', () => {
    ok(ingestResponseSchema, { status: 'success', message: 'Ingested a.md', tokens_processed: 12 });
    bad(ingestResponseSchema, { status: 'ok', message: '', tokens_processed: 12 });
  });

  it('run record', () => {
    const run = {
      id: 'run_abc',
      object: 'run',
      status: 'awaiting_approval',
      stop_reason: 'awaiting_approval',
      model: 'm',
      created_at: 1,
      completed_at: null,
      usage: null,
      tool_calls: [
        { id: 'run_abc::tc_1', name: 'delete_draft', arguments: '{}', status: 'awaiting_approval' },
      ],
      file_ids: [],
    };
    ok(runRecordSchema, run);
    bad(runRecordSchema, { ...run, id: 'chatcmpl-1' });
    bad(runRecordSchema, { ...run, status: 'paused' });
    bad(runRecordSchema, { ...run, tool_calls: [{ ...run.tool_calls[0], status: 'done' }] });
  });
});

describe('error bodies', () => {
  it('accept the three shapes servers send and refuse what is none of them', () => {
    ok(errorBodySchema, { error: { message: 'm', type: 'invalid_request_error', param: 'n', code: 'x' } });
    ok(errorBodySchema, { message: 'm', type: 'invalid_request_error', param: null, code: null });
    ok(errorBodySchema, { error: "model 'x' not found" });
    for (const body of [{}, { error: 42 }, { error: { type: 'no message' } }, 'text'])
      bad(errorBodySchema, body);
  });
});
