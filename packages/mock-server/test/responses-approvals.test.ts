import { ERROR_CODES, parseApprovalId } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { expectItemsInOrder, respond, responseBody, streamEvents, terminalOf } from './support/responses';
import { chat, TARGETS, type Target, userSays } from './support/target';

const DELETE = 'Please delete the draft Q3-plan.';
const LOOKUP = 'Please look up order A-1001.';

const run = async (target: Target, id: string) => (await target.fetch(`/v1/runs/${id}`)).json();
const decision = (id: string, approve: boolean) => ({
  type: 'mcp_approval_response',
  approval_request_id: id,
  approve,
});

async function pause(target: Target) {
  const body = await responseBody(await respond(target, { input: DELETE }));
  return { body, request: body.output[body.output.length - 1] };
}

describe.each(TARGETS)('server tools and approvals on /v1/responses (%s)', (_name, make) => {
  it('a read-only server tool is an mcp_call item with its lifecycle events', async () => {
    const target = await make();
    try {
      const body = await responseBody(await respond(target, { input: LOOKUP }));
      expect(body.output.map((item: { type: string }) => item.type)).toEqual(['mcp_call', 'message']);
      expect(body.output[0]).toMatchObject({
        name: 'lookup_order',
        server_label: 'threadline',
        arguments: '{"order_id":"A-1001"}',
        status: 'completed',
        approval_request_id: null,
      });
      expect(JSON.parse(body.output[0].output)).toMatchObject({ order_id: 'A-1001' });
      const events = await streamEvents(await respond(target, { input: LOOKUP, stream: true }));
      expectItemsInOrder(events);
      const first = events.filter((e) => e.output_index === 0).map((e) => e.type);
      expect(first).toEqual([
        'response.output_item.added',
        'response.mcp_call.in_progress',
        'response.mcp_call.completed',
        'response.output_item.done',
      ]);
      expect(events.find((e) => e.type === 'response.output_item.added')!.item).toMatchObject({
        type: 'mcp_call',
        status: 'in_progress',
      });
    } finally {
      await target.close();
    }
  });

  it('a destructive tool pauses with an mcp_approval_request whose id is the approval id', async () => {
    const target = await make();
    try {
      const { body, request } = await pause(target);
      expect(body.status).toBe('completed');
      expect(request).toMatchObject({
        type: 'mcp_approval_request',
        name: 'delete_draft',
        server_label: 'threadline',
      });
      expect(parseApprovalId(request.id)).toMatchObject({ runId: body.id });
      expect(await run(target, body.id)).toMatchObject({ status: 'awaiting_approval' });
      expect(target.server.tools.executions).toHaveLength(0);
      const events = await streamEvents(await respond(target, { input: DELETE, stream: true }));
      const final = terminalOf(events);
      expect(events[events.length - 1]!.type).toBe('response.completed');
      expect(final.output.at(-1).type).toBe('mcp_approval_request');
      const between = events.filter((e) => e.output_index === 0).map((e) => e.type);
      expect(between).toEqual(['response.output_item.added', 'response.output_item.done']);
    } finally {
      await target.close();
    }
  });

  it('approve with previous_response_id runs the tool: an mcp_call with approval_request_id, then text', async () => {
    const target = await make();
    try {
      const { body, request } = await pause(target);
      const resumed = await responseBody(
        await respond(target, { previous_response_id: body.id, input: [decision(request.id, true)] }),
      );
      expect(resumed.output[0]).toMatchObject({
        type: 'mcp_call',
        name: 'delete_draft',
        approval_request_id: request.id,
        status: 'completed',
      });
      expect(resumed.output[1].content[0].text).toContain('delete_draft returned');
      expect(target.server.tools.executions).toHaveLength(1);
      expect(await run(target, body.id)).toMatchObject({ status: 'completed' });
      const again = await respond(target, {
        previous_response_id: body.id,
        input: [decision(request.id, true)],
      });
      expect(again.status).toBe(400);
      expect((await responseBody(again)).error).toMatchObject({
        code: ERROR_CODES.approvalAlreadyDecided,
        param: 'input',
      });
      expect(target.server.tools.executions).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it('reject with the whole input runs nothing and ends the run approval_rejected', async () => {
    const target = await make();
    try {
      const { body, request } = await pause(target);
      const rejected = await responseBody(
        await respond(target, {
          input: [
            { role: 'user', content: DELETE },
            request,
            { ...decision(request.id, false), reason: 'no' },
          ],
        }),
      );
      expect(rejected.output.map((item: { type: string }) => item.type)).toEqual(['message']);
      expect(rejected.output[0].content[0].text).toContain('was not run');
      expect(target.server.tools.executions).toHaveLength(0);
      expect(await run(target, body.id)).toMatchObject({ status: 'approval_rejected' });
      expect(await run(target, rejected.id)).toMatchObject({ status: 'approval_rejected' });
    } finally {
      await target.close();
    }
  });

  it('an unknown approval id is a 400; several decisions are applied all or none', async () => {
    const target = await make();
    try {
      const unknown = await respond(target, { input: [decision('run_nope::call_nope', true)] });
      expect(unknown.status).toBe(400);
      expect((await responseBody(unknown)).error).toMatchObject({
        code: ERROR_CODES.unknownApprovalId,
        param: 'input',
      });
      const a = await pause(target);
      const both = await respond(target, {
        input: [decision(a.request.id, true), decision('run_nope::call_nope', true)],
      });
      expect(both.status).toBe(400);
      expect(target.server.tools.executions).toHaveLength(0);
      expect(await run(target, a.body.id)).toMatchObject({ status: 'awaiting_approval' });
      const b = await pause(target);
      const ok = await responseBody(
        await respond(target, { input: [decision(a.request.id, true), decision(b.request.id, true)] }),
      );
      expect(ok.output.filter((item: { type: string }) => item.type === 'mcp_call')).toHaveLength(2);
      expect(target.server.tools.executions).toHaveLength(2);
    } finally {
      await target.close();
    }
  });

  it('one run, two doors: a chat pause approved on responses, a responses pause approved on chat', async () => {
    const target = await make();
    try {
      const chatPause = await (await chat(target, { messages: userSays(DELETE) })).json();
      const call = chatPause.choices[0].message.tool_calls[0];
      const approved = await responseBody(await respond(target, { input: [decision(call.id, true)] }));
      expect(approved.output[0]).toMatchObject({ type: 'mcp_call', approval_request_id: call.id });
      expect(await run(target, chatPause.id)).toMatchObject({ status: 'completed' });

      const { body, request } = await pause(target);
      const onChat = await chat(target, {
        messages: [
          { role: 'user', content: DELETE },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: request.id,
                type: 'function',
                function: { name: request.name, arguments: request.arguments },
              },
            ],
          },
          { role: 'tool', tool_call_id: request.id, content: 'reject' },
        ],
      });
      expect(onChat.status).toBe(200);
      expect(await run(target, body.id)).toMatchObject({ status: 'approval_rejected' });
      expect(target.server.tools.executions).toHaveLength(1);
    } finally {
      await target.close();
    }
  });
});
