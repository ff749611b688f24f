import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  approve,
  BadRequestError,
  type ChatMessage,
  NotFoundError,
  pendingApprovals,
  reject,
  type StopReason,
  ThreadlineError,
} from '../src/index';
import { useServer } from './support/server';

// Server tools as issue 3 describes them: a destructive one that pauses for approval, a read-only one.
const config = {
  serverTools: [
    {
      name: 'delete_page',
      description: 'Deletes a page',
      parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      destructive: true,
      result: 'page deleted',
    },
  ],
  fixtures: [
    {
      match: { userText: 'Delete the May draft.' },
      reply: { serverTool: { name: 'delete_page', arguments: { id: 'p1' } } },
    },
  ],
};

const ask: ChatMessage[] = [{ role: 'user', content: 'Delete the May draft.' }];

describe('approval round trips (real port)', () => {
  const ref = useServer({ over: 'port', config: config as never });

  it('finds the pause, approves it, and the server runs the tool and continues', async () => {
    const paused = await ref.client.chat.completions.create({ model: '', messages: ask });
    expect(paused.choices[0]?.finish_reason).toBe('tool_calls');
    const pending = ref.client.approvals.pending(paused);
    expect(pending).toHaveLength(1);
    const [pause] = pending;
    expect(pause).toMatchObject({ runId: paused.id, name: 'delete_page', arguments: { id: 'p1' } });
    expect(pause!.id).toBe(`${pause!.runId}::${pause!.toolCallId}`);
    expect((await ref.client.runs.retrieve(paused.id)).status).toBe('awaiting_approval');

    const done = await ref.client.chat.completions.resume({
      model: '',
      messages: ask,
      completion: paused,
      decisions: [ref.client.approvals.approve(pause!)],
    });
    expect(done.choices[0]?.finish_reason).toBe('stop');
    expect(done.choices[0]?.message.content).toContain('page deleted');
    const sent = ref.server.journal.list().at(-1)!.body as { messages: ChatMessage[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(sent.messages[2]).toEqual({ role: 'tool', tool_call_id: pause!.id, content: 'approve' });
    const run = await ref.client.runs.retrieve(pause!.runId);
    expect(run.tool_calls.find((c) => c.name === 'delete_page')?.status).toBe('executed');
  });

  it('rejects a pause: nothing runs and the run ends with stop reason approval_rejected', async () => {
    const paused = await ref.client.chat.completions.create({ model: '', messages: ask });
    const [pause] = pendingApprovals(paused);
    const done = await ref.client.chat.completions.resume({
      model: '',
      messages: [...ask, paused.choices[0]!.message as ChatMessage],
      decisions: [reject(pause!)],
    });
    expect(done.stop_reason).toBe('approval_rejected');
    const run = await ref.client.runs.retrieve(pause!.runId);
    expect(run.tool_calls.some((c) => c.status === 'executed')).toBe(false);
  });

  it('works streamed: the pause from finalCompletion(), the continuation streamed', async () => {
    const stream = await ref.client.chat.completions.create({ model: '', stream: true, messages: ask });
    const paused = await stream.finalCompletion();
    expect(paused.choices[0]?.finish_reason).toBe('tool_calls');
    const [pause] = ref.client.approvals.pending(paused);
    expect(pause?.name).toBe('delete_page');
    const next = await ref.client.chat.completions.resume({
      model: '',
      stream: true,
      messages: ask,
      completion: paused,
      decisions: [approve(pause!)],
    });
    let text = '';
    for await (const chunk of next) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('page deleted');
  });

  it('a streamed reject ends with the typed stop reason approval_rejected, and the run record agrees', async () => {
    const paused = await (
      await ref.client.chat.completions.create({ model: '', stream: true, messages: ask })
    ).finalCompletion();
    const [pause] = ref.client.approvals.pending(paused);
    const next = await ref.client.chat.completions.resume({
      model: '',
      stream: true,
      messages: ask,
      completion: paused,
      decisions: [ref.client.approvals.reject(pause!)],
    });
    const final = await next.finalCompletion();
    expectTypeOf(final.stop_reason).toEqualTypeOf<StopReason | undefined>();
    expect(final.stop_reason).toBe('approval_rejected');
    const run = await ref.client.runs.retrieve(pause!.runId);
    expect(run).toMatchObject({ status: 'approval_rejected', stop_reason: 'approval_rejected' });
  });

  it('on a thread sends only the decision', async () => {
    const thread = ref.client.withOptions({ threadId: 'ops-thread-1' });
    const paused = await thread.chat.completions.create({ model: '', messages: ask });
    const [pause] = thread.approvals.pending(paused);
    const done = await thread.chat.completions.resume({
      model: '',
      decisions: [thread.approvals.approve(pause!)],
    });
    expect(done.choices[0]?.message.content).toContain('page deleted');
    const sent = ref.server.journal.list().at(-1)!.body as { messages: ChatMessage[] };
    expect(sent.messages).toEqual([{ role: 'tool', tool_call_id: pause!.id, content: 'approve' }]);
  });

  it('a decision the server never issued, or one already taken, is a typed 400', async () => {
    const paused = await ref.client.chat.completions.create({ model: '', messages: ask });
    const [pause] = ref.client.approvals.pending(paused);
    const params = { model: '', messages: ask, completion: paused, decisions: [approve(pause!)] };
    await ref.client.chat.completions.resume(params);
    const again = await ref.client.chat.completions.resume(params).catch((e) => e);
    expect(again).toBeInstanceOf(BadRequestError);
    expect(again.code).toBe('approval_already_decided');

    const forged = `${pause!.runId}x::tc_forged`;
    const unknown = await ref.client.chat.completions
      .resume({
        model: '',
        messages: [
          ...ask,
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: forged, type: 'function', function: { name: 'delete_page', arguments: '{}' } },
            ],
          },
        ],
        decisions: [approve(forged)],
      })
      .catch((e) => e);
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown.code).toBe('unknown_approval_id');
  });

  it('an unknown run is a typed 404', async () => {
    const error = await ref.client.runs.retrieve('run_does_not_exist').catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
  });

  it('checks decisions before sending anything', async () => {
    const paused = await ref.client.chat.completions.create({ model: '', messages: ask });
    const [pause] = ref.client.approvals.pending(paused);
    const before = ref.server.journal.list().length;
    await expect(
      ref.client.chat.completions.resume({ model: '', messages: ask, decisions: [approve(pause!)] }),
    ).rejects.toThrow(/no assistant message holds tool call/);
    await expect(
      ref.client.chat.completions.resume({
        model: '',
        messages: ask,
        completion: paused,
        decisions: [{ role: 'tool', tool_call_id: pause!.id, content: 'maybe' }],
      }),
    ).rejects.toBeInstanceOf(ThreadlineError);
    await expect(
      ref.client.chat.completions.resume({ model: '', messages: ask, decisions: [] }),
    ).rejects.toThrow(/at least one decision/);
    expect(ref.server.journal.list()).toHaveLength(before);
  });
});
