import OpenAI, { BadRequestError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, start } from '../src/index';

const DELETE = 'Please delete the draft Q3-plan.';

describe('approval round trip with the official openai SDK', () => {
  let running: RunningServer;
  let client: OpenAI;
  beforeAll(async () => {
    running = await start({ port: 0 });
    client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  });
  afterAll(() => running.close());

  it('pauses, approves over a stream, and reports a second decision as a typed BadRequestError', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: DELETE }];
    const paused = await client.chat.completions.create({ model: '', messages });
    expect(paused.choices[0]!.finish_reason).toBe('tool_calls');
    const call = paused.choices[0]!.message.tool_calls![0]!;
    expect(call.id.startsWith(`${paused.id}::`)).toBe(true);
    messages.push(paused.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'approve' });

    const stream = await client.chat.completions.create({ model: '', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}');
    expect(running.server.tools.executions).toHaveLength(1);

    const again = client.chat.completions.create({ model: '', messages });
    await expect(again).rejects.toBeInstanceOf(BadRequestError);
    await expect(again).rejects.toMatchObject({ status: 400, code: 'approval_already_decided' });
  });

  it('rejects through the SDK: stop_reason approval_rejected and nothing executed', async () => {
    const before = running.server.tools.executions.length;
    const paused = await client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: DELETE }],
    });
    const call = paused.choices[0]!.message.tool_calls![0]!;
    const rejected = await client.chat.completions.create({
      model: '',
      messages: [
        { role: 'user', content: DELETE },
        paused.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: 'reject' },
      ],
    });
    expect((rejected as unknown as { stop_reason: string }).stop_reason).toBe('approval_rejected');
    expect(running.server.tools.executions).toHaveLength(before);
    await expect(
      client.chat.completions.create({
        model: '',
        messages: [{ role: 'tool', tool_call_id: 'run_nosuchrun::call_x', content: 'approve' }],
      }),
    ).rejects.toMatchObject({ status: 400, code: 'unknown_approval_id' });
  });
});
