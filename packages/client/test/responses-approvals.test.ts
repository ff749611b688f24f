import { describe, expect, it } from 'vitest';
import {
  approve,
  BadRequestError,
  type McpApprovalResponseInput,
  type Pause,
  reject,
  ThreadlineError,
} from '../src/index';
import { useServer } from './support/server';

// The reference server's demo tools: a destructive one that pauses, a read-only one that just runs.
const DELETE = 'Please delete the draft Q3-plan.';
const LOOKUP = 'Please look up order A-1001.';

describe.each(['msw', 'port'] as const)('approvals and server tools on responses (%s)', (over) => {
  const ref = useServer({ over });
  const lastInput = () => (ref.server.journal.list().at(-1)!.body as { input: unknown[] }).input;

  it('a server tool is a typed mcp_call item, with its lifecycle events on a stream', async () => {
    const response = await ref.client.responses.create({ model: '', input: LOOKUP });
    const call = response.output.find((item) => item.type === 'mcp_call');
    expect(call).toMatchObject({ name: 'lookup_order', server_label: 'threadline' });
    expect(ref.client.approvals.pending(response)).toEqual([]);

    const stream = await ref.client.responses.create({ model: '', input: LOOKUP, stream: true });
    const seen: string[] = [];
    for await (const event of stream) {
      if (event.type.startsWith('response.mcp_call')) seen.push(event.type);
      if (event.type === 'response.output_item.added' && event.item.type === 'mcp_call') {
        expect(event.item.status).toBe('in_progress');
      }
    }
    expect(seen).toEqual(['response.mcp_call.in_progress', 'response.mcp_call.completed']);
    expect((await stream.finalResponse()).output_text).not.toBe('');
  });

  it('pending() finds the mcp_approval_request; approve via resume runs the tool and continues', async () => {
    const paused = await ref.client.responses.create({ model: '', input: DELETE });
    const [pause, ...others] = ref.client.approvals.pending(paused);
    expect(others).toEqual([]);
    expect(pause).toMatchObject({ runId: paused.id, serverLabel: 'threadline', name: expect.any(String) });
    expect(pause!.id).toBe(`${pause!.runId}::${pause!.toolCallId}`);
    expect(typeof pause!.arguments).toBe('object');
    expect((await ref.client.runs.retrieve(paused.id)).status).toBe('awaiting_approval');

    const done = await ref.client.responses.resume({
      model: '',
      response: paused,
      decisions: [approve(pause!, 'looks right')],
    });
    expect(done.previous_response_id).toBe(paused.id);
    expect(done.output[0]).toMatchObject({ type: 'mcp_call', approval_request_id: pause!.id });
    expect(done.output_text).not.toBe('');
    expect(lastInput()).toEqual([
      {
        type: 'mcp_approval_response',
        approval_request_id: pause!.id,
        approve: true,
        reason: 'looks right',
      } satisfies McpApprovalResponseInput,
    ]);
    expect(ref.server.tools.executions).toHaveLength(1);
    expect((await ref.client.runs.retrieve(paused.id)).status).toBe('completed');
  });

  it('reject with the whole input runs nothing and ends the run approval_rejected (streamed)', async () => {
    const paused = await ref.client.responses.create({ model: '', input: DELETE });
    const [pause] = ref.client.approvals.pending(paused);
    const request = paused.output.at(-1)!;
    const stream = await ref.client.responses.resume({
      model: '',
      input: [{ role: 'user', content: DELETE }, request],
      decisions: [reject(pause!, 'not today')],
      stream: true,
    });
    const final = await stream.finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['message']);
    expect(final.previous_response_id).toBeNull();
    expect(lastInput().at(-1)).toEqual({
      type: 'mcp_approval_response',
      approval_request_id: pause!.id,
      approve: false,
      reason: 'not today',
    });
    expect(ref.server.tools.executions).toHaveLength(0);
    expect((await ref.client.runs.retrieve(paused.id)).status).toBe('approval_rejected');
  });

  it('on a thread only the decisions travel (no previous_response_id is added)', async () => {
    const thread = ref.client.withOptions({ threadId: `ops-${over}` });
    const paused = await thread.responses.create({ model: '', input: DELETE });
    const [pause] = thread.approvals.pending(paused);
    const done = await thread.responses.resume({ model: '', response: paused, decisions: [approve(pause!)] });
    const sent = ref.server.journal.list().at(-1)!.body as Record<string, unknown>;
    expect(sent.previous_response_id).toBeUndefined();
    expect(sent.input).toEqual([
      { type: 'mcp_approval_response', approval_request_id: pause!.id, approve: true },
    ]);
    expect(done.output[0]).toMatchObject({ type: 'mcp_call', approval_request_id: pause!.id });
  });

  it('a pause raised on chat is decided through responses.resume (one run, two doors)', async () => {
    const chat = await ref.client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: DELETE }],
    });
    const [pause] = ref.client.approvals.pending(chat);
    expect(pause).toMatchObject({ runId: chat.id });
    const done = await ref.client.responses.resume({ model: '', decisions: [approve(pause!)] });
    expect(done.output[0]).toMatchObject({ type: 'mcp_call', approval_request_id: pause!.id });
    expect((await ref.client.runs.retrieve(chat.id)).status).toBe('completed');
  });

  it('a pause raised on responses is decided through chat.completions.resume; the reason stays off chat', async () => {
    const paused = await ref.client.responses.create({ model: '', input: DELETE });
    const [pause] = ref.client.approvals.pending(paused) as [Pause];
    const request = paused.output.at(-1)! as { name: string; arguments: string };
    await ref.client.chat.completions.resume({
      model: '',
      messages: [
        { role: 'user', content: DELETE },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: pause.id,
              type: 'function',
              function: { name: request.name, arguments: request.arguments },
            },
          ],
        },
      ],
      decisions: [reject(pause, 'no reason on chat')],
    });
    const sent = ref.server.journal.list().at(-1)!.body as { messages: unknown[] };
    expect(sent.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: pause.id, content: 'reject' });
    expect((await ref.client.runs.retrieve(paused.id)).status).toBe('approval_rejected');
  });

  it('bad decisions are refused before sending; an unknown approval id is the server 400', async () => {
    const before = ref.server.journal.list().length;
    await expect(ref.client.responses.resume({ model: '', decisions: [] })).rejects.toBeInstanceOf(
      ThreadlineError,
    );
    await expect(
      ref.client.responses.resume({
        model: '',
        decisions: [{ role: 'tool', tool_call_id: 'run_a::call_b', content: 'maybe' }],
      }),
    ).rejects.toThrow(/approvals.approve/);
    expect(ref.server.journal.list()).toHaveLength(before);
    const unknown = await ref.client.responses
      .resume({ model: '', decisions: [approve('run_nope::call_nope')] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect(unknown).toMatchObject({ code: 'unknown_approval_id', param: 'input' });
  });
});
