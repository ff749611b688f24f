import OpenAI, { BadRequestError, NotFoundError } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertSpecValid, assertStreamEventValid } from '../../protocol/test/support/openapi';
import { type RunningServer, start } from '../src/index';

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('the Responses API with the official openai SDK', () => {
  let running: RunningServer;
  let client: OpenAI;
  beforeAll(async () => {
    running = await start({ port: 0 });
    client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterEach(() => running.server.faults.clear());
  afterAll(() => running.close());

  it('responses.create answers JSON the SDK reads, output_text included', async () => {
    const response = await client.responses.create({ model: '', input: 'Hello there' });
    assertSpecValid('responses', 'ResponseResource', response);
    expect(response.id).toMatch(/^run_/);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('You said: Hello there');
    expect(response.usage?.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
  });

  it('responses.stream gives every event and a finalResponse() equal to the streamed text', async () => {
    const stream = client.responses.stream({
      model: '',
      input: 'Stream this please',
      instructions: 'Be brief.',
    });
    const seen: string[] = [];
    let text = '';
    for await (const event of stream) {
      assertStreamEventValid(event);
      seen.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const final = await stream.finalResponse();
    assertSpecValid('responses', 'ResponseResource', final);
    expect(seen[0]).toBe('response.created');
    expect(seen.at(-1)).toBe('response.completed');
    expect(final.output_text).toBe(text);
    expect(text).toBe('You said: Stream this please');
    expect(final.instructions).toBe('Be brief.');
  });

  it('follows a previous_response_id chain through a function-call round trip', async () => {
    const first = await client.responses.create({
      model: '',
      input: 'What is the weather in Paris?',
      tools: [weather],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    if (call?.type !== 'function_call') throw new Error('no function call');
    const second = await client.responses.create({
      model: '',
      previous_response_id: first.id,
      tools: [weather],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":18}' }],
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.output_text).toContain('{"temp_c":18}');
    const third = await client.responses.create({
      model: '',
      previous_response_id: second.id,
      input: 'Thanks!',
    });
    expect(third.output_text).toBe('You said: Thanks!');
  });

  it('pauses for approval and resumes with an mcp_approval_response', async () => {
    const paused = await client.responses.create({ model: '', input: 'Please delete the draft Q3-plan.' });
    const request = paused.output.at(-1);
    expect(request?.type).toBe('mcp_approval_request');
    if (request?.type !== 'mcp_approval_request') throw new Error('no approval request');
    expect(request.id.startsWith(`${paused.id}::`)).toBe(true);
    const stream = client.responses.stream({
      model: '',
      previous_response_id: paused.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
    });
    for await (const event of stream) assertStreamEventValid(event);
    const resumed = await stream.finalResponse();
    const call = resumed.output.find((item) => item.type === 'mcp_call');
    expect(call).toMatchObject({ name: 'delete_draft', approval_request_id: request.id });
    expect(resumed.output_text).toContain('delete_draft returned');
  });

  it('errors arrive as the SDK typed errors', async () => {
    await expect(client.responses.create({ model: 'no-such-model', input: 'hi' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const missing = await client.responses
      .create({ model: '', previous_response_id: 'run_never', input: 'hi' })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('previous_response_not_found');
    const badChoice = await client.responses
      .create({ model: '', input: 'hi', tool_choice: 'required' })
      .catch((error: unknown) => error);
    expect(badChoice).toBeInstanceOf(BadRequestError);
    expect((badChoice as BadRequestError).param).toBe('tool_choice');
    const decided = await client.responses
      .create({
        model: '',
        input: [{ type: 'mcp_approval_response', approval_request_id: 'run_x::call_y', approve: true }],
      })
      .catch((error: unknown) => error);
    expect(decided).toBeInstanceOf(BadRequestError);
    expect((decided as BadRequestError).code).toBe('unknown_approval_id');
  });

  it('a stream that fails for an unknown model ends in response.failed, which finalResponse() hands back', async () => {
    const stream = client.responses.stream({ model: 'no-such-model', input: 'hi' });
    const seen: string[] = [];
    for await (const event of stream) seen.push(event.type);
    const failed = await stream.finalResponse();
    expect(seen).toEqual(['response.created', 'response.failed']);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'model_not_found' }, output: [] });
  });
});
