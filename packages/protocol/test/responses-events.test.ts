import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors';
import {
  responseCreateMessageSchema,
  responsesStreamEventSchema,
  webSocketErrorMessageSchema,
  webSocketServerMessageSchema,
} from '../src/schemas/index';
import {
  assertSpecValid,
  assertStreamEventValid,
  eventComponent,
  specDocument,
  streamEventErrors,
} from './support/openapi';
import {
  approvalRequest,
  both,
  eventSamples,
  events,
  functionCall,
  mcpCall,
  neither,
  ours,
  part,
  textMessage,
} from './support/responses-samples';

describe('streaming events', () => {
  it('the sample list covers every event type of our union', () => {
    const types = responsesStreamEventSchema.options.map((option) => option.shape.type.value);
    expect(Object.keys(eventSamples).sort()).toEqual([...types].sort());
  });

  it('each event passes ours and the component of the spec that defines its type', () => {
    for (const event of events) {
      const parsed = responsesStreamEventSchema.safeParse(event);
      expect(parsed.success, `${event.type}: ${String(parsed.error)}`).toBe(true);
      assertStreamEventValid(event);
    }
  });

  it('each item type passes inside output_item events too', () => {
    for (const output of [textMessage('x'), functionCall, mcpCall, approvalRequest]) {
      const event = { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item: output };
      expect(ours(responsesStreamEventSchema, event)).toBe(true);
      assertStreamEventValid(event);
    }
  });

  it('names the standard’s event types we leave out (raw reasoning text)', () => {
    const doc = specDocument('openresponses');
    const published = Object.values(doc.components.schemas)
      .map((schema) => (schema.properties as { type?: { enum?: string[] } } | undefined)?.type?.enum?.[0])
      .filter((type): type is string => type?.startsWith('response.') === true && type !== 'response.create')
      .filter((type) => eventComponent(type) !== undefined);
    const ourTypes = new Set(Object.keys(eventSamples));
    expect(published.filter((type) => !ourTypes.has(type)).sort()).toEqual([
      'response.reasoning.delta',
      'response.reasoning.done',
    ]);
  });

  it('takes an error event in either shape, each valid under the document that defines it', () => {
    const nested = { type: 'error', sequence_number: 4, error: eventSamples.error.error };
    expect(ours(responsesStreamEventSchema, nested)).toBe(true);
    assertSpecValid('openresponses', 'ErrorStreamingEvent', nested);
    const flat = { type: 'error', sequence_number: 4, code: 'server_error', message: 'boom', param: null };
    expect(ours(responsesStreamEventSchema, flat)).toBe(true);
    assertSpecValid('openai', 'ResponseErrorEvent', flat);
    expect(ours(responsesStreamEventSchema, { type: 'error', sequence_number: 4 })).toBe(false);
  });

  it('refuses events without sequence_number or their payload, as the specs do', () => {
    for (const event of events) {
      const { sequence_number: _, ...unnumbered } = event;
      expect(ours(responsesStreamEventSchema, unnumbered), event.type).toBe(false);
      expect(streamEventErrors(unnumbered), event.type).not.toEqual([]);
    }
    for (const broken of [
      { type: 'response.output_text.delta', sequence_number: 1, ...part },
      { type: 'response.function_call_arguments.done', sequence_number: 1, output_index: 0, arguments: '{}' },
      { type: 'response.mcp_call.completed', sequence_number: 1, item_id: 'mcp_1' },
      { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'nope' } },
      { type: 'response.completed', sequence_number: 1, response: { id: 'run_abc' } },
    ]) {
      expect(ours(responsesStreamEventSchema, broken), broken.type).toBe(false);
      expect(streamEventErrors(broken), broken.type).not.toEqual([]);
    }
  });
});

describe('the WebSocket envelope', () => {
  it('a response.create message is a request with a type', () => {
    const message = { type: 'response.create', model: 'm', input: 'Hi', previous_response_id: 'run_abc' };
    both(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', message);
    expect(responseCreateMessageSchema.parse({ ...message, extra: 1 })).toMatchObject({ extra: 1 });
  });

  it('refuses HTTP streaming fields and a missing or wrong type', () => {
    const message = { type: 'response.create', input: 'Hi' };
    for (const extra of [
      { stream: true },
      { stream_options: {} },
      { background: false },
      { type: 'response.cancel' },
    ]) {
      neither(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', {
        ...message,
        ...extra,
      });
    }
    neither(responseCreateMessageSchema, 'openresponses', 'WebSocketResponseCreateEvent', { input: 'Hi' });
  });

  it('an error message has a status and a typed error', () => {
    const error = {
      type: 'error',
      status: 404,
      error: { code: ERROR_CODES.previousResponseNotFound, message: 'No response run_x.' },
    };
    both(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', error);
    neither(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', {
      ...error,
      status: undefined,
    });
    neither(webSocketErrorMessageSchema, 'openresponses', 'WebSocketErrorEvent', {
      ...error,
      error: { message: 'no code' },
    });
  });

  it('server messages are stream events or error messages', () => {
    for (const event of events) expect(ours(webSocketServerMessageSchema, event), event.type).toBe(true);
    const error = { type: 'error', status: 400, error: { code: 'invalid_value', message: 'bad' } };
    expect(webSocketServerMessageSchema.parse(error)).toMatchObject({ status: 400 });
    expect(ours(webSocketServerMessageSchema, { type: 'response.create', input: 'Hi' })).toBe(false);
  });
});

describe('the error code', () => {
  it('previous_response_not_found is a protocol code', () => {
    expect(Object.values(ERROR_CODES)).toContain('previous_response_not_found');
  });
});
