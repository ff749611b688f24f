import { parseApprovalId } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { chat, chunks, streamedText, TARGETS, type Target, userSays } from './support/target';

const DELETE = 'Please delete the draft Q3-plan.';
const LOOKUP = 'Please look up order A-1001.';

interface Call {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

async function pause(target: Target, headers: Record<string, string> = {}) {
  const body = await (await chat(target, { messages: userSays(DELETE) }, headers)).json();
  return { body, call: body.choices[0].message.tool_calls[0] as Call };
}

const answer = (call: Call, decision: string) => [
  { role: 'user', content: DELETE },
  { role: 'assistant', content: null, tool_calls: [call] },
  { role: 'tool', tool_call_id: call.id, content: decision },
];

const run = async (target: Target, id: string) => (await target.fetch(`/v1/runs/${id}`)).json();

describe.each(TARGETS)('server tools and approvals (%s)', (_name, make) => {
  it('runs a read-only tool on the server: only text comes back, the run records the execution', async () => {
    const target = await make();
    try {
      const body = await (await chat(target, { messages: userSays(LOOKUP) })).json();
      expect(body.choices[0]).toMatchObject({
        finish_reason: 'stop',
        message: {
          content:
            'lookup_order returned {"order_id":"A-1001","status":"shipped","carrier":"Parcelway","eta":"2026-12-03"}',
        },
      });
      expect(body.choices[0].message.tool_calls).toBeUndefined();
      const record = await run(target, body.id);
      expect(record).toMatchObject({ status: 'completed', stop_reason: 'end_turn' });
      expect(record.tool_calls).toEqual([
        expect.objectContaining({
          name: 'lookup_order',
          status: 'executed',
          arguments: '{"order_id":"A-1001"}',
        }),
      ]);
      const streamed = await chunks(await chat(target, { messages: userSays(LOOKUP), stream: true }));
      expect(streamed.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
      expect(streamedText(streamed)).toBe(body.choices[0].message.content);
      expect(target.server.tools.executions).toHaveLength(2);
    } finally {
      await target.close();
    }
  });

  it('pauses a destructive tool; approve executes it once and completes both runs', async () => {
    const target = await make();
    try {
      const { body, call } = await pause(target);
      expect(body.choices[0].finish_reason).toBe('tool_calls');
      expect(call.function).toEqual({ name: 'delete_draft', arguments: '{"draft_id":"Q3-plan"}' });
      expect(parseApprovalId(call.id)?.runId).toBe(body.id);
      expect(await run(target, body.id)).toMatchObject({
        status: 'awaiting_approval',
        tool_calls: [{ id: call.id, status: 'awaiting_approval' }],
      });
      expect(target.server.tools.executions).toHaveLength(0);

      const resumed = await (await chat(target, { messages: answer(call, 'approve') })).json();
      expect(resumed.choices[0]).toMatchObject({
        finish_reason: 'stop',
        message: { content: 'delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}' },
      });
      expect(target.server.tools.executions.map((e) => e.tool)).toEqual(['delete_draft']);
      expect(await run(target, resumed.id)).toMatchObject({
        status: 'completed',
        tool_calls: [{ id: call.id, status: 'executed', result: '{"deleted":true,"draft_id":"Q3-plan"}' }],
      });
      expect(await run(target, body.id)).toMatchObject({
        status: 'completed',
        tool_calls: [{ status: 'executed' }],
      });
    } finally {
      await target.close();
    }
  });

  it('streams the pause and the approved continuation', async () => {
    const target = await make();
    try {
      const paused = await chunks(await chat(target, { messages: userSays(DELETE), stream: true }));
      const delta = paused.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])[0]!;
      expect(parseApprovalId(delta.id!)?.runId).toBe(paused[0]!.id);
      expect(paused.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
      const call: Call = {
        id: delta.id!,
        type: 'function',
        function: { name: 'delete_draft', arguments: '{"draft_id":"Q3-plan"}' },
      };
      const resumed = await chunks(await chat(target, { messages: answer(call, 'approve'), stream: true }));
      expect(streamedText(resumed)).toBe('delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}');
      expect(resumed.at(-1)!.choices[0]!.finish_reason).toBe('stop');
      expect(target.server.tools.executions).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it.each([false, true])(
    'reject (stream: %s) executes nothing and ends approval_rejected',
    async (stream) => {
      const target = await make();
      try {
        const { body, call } = await pause(target);
        const response = await chat(target, { messages: answer(call, 'reject'), stream });
        let resumedId: string;
        if (stream) {
          const list = await chunks(response);
          resumedId = list[0]!.id;
          expect(list.at(-1)).toMatchObject({ stop_reason: 'approval_rejected' });
          expect(streamedText(list)).toBe('delete_draft was not run: the call was rejected.');
        } else {
          const resumed = await response.json();
          resumedId = resumed.id;
          expect(resumed).toMatchObject({
            stop_reason: 'approval_rejected',
            choices: [{ finish_reason: 'stop' }],
          });
        }
        expect(target.server.tools.executions).toHaveLength(0);
        for (const id of [body.id, resumedId]) {
          const record = await run(target, id);
          expect(record).toMatchObject({ status: 'approval_rejected', stop_reason: 'approval_rejected' });
          expect(record.tool_calls).toEqual([expect.objectContaining({ id: call.id, status: 'rejected' })]);
        }
      } finally {
        await target.close();
      }
    },
  );

  it('refuses unknown, already decided, foreign and undecidable approvals with typed 400s', async () => {
    const target = await make();
    try {
      const { call } = await pause(target);
      const codeOf = async (messages: unknown[], headers: Record<string, string> = {}) => {
        const response = await chat(target, { messages }, headers);
        expect(response.status).toBe(400);
        return (await response.json()).error.code;
      };
      const forged = { ...call, id: 'run_forged123::call_1' };
      expect(await codeOf(answer(forged, 'approve'))).toBe('unknown_approval_id');
      // Another user guessing the real id learns nothing more than an unknown id.
      expect(await codeOf(answer(call, 'approve'), { 'x-user-id': 'mallory' })).toBe('unknown_approval_id');
      expect(await codeOf(answer(call, 'maybe later'))).toBe('invalid_approval_decision');
      expect(target.server.tools.executions).toHaveLength(0);
      expect((await chat(target, { messages: answer(call, 'approve') })).status).toBe(200);
      expect(await codeOf(answer(call, 'approve'))).toBe('approval_already_decided');
      expect(await codeOf(answer(call, 'reject'))).toBe('approval_already_decided');
      expect(target.server.tools.executions).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it('resumes a paused thread from the tool message alone', async () => {
    const target = await make();
    try {
      const thread = { 'ic-thread-id': 'thr_approve' };
      const { call } = await pause(target, thread);
      const resumed = await chat(
        target,
        { messages: [{ role: 'tool', tool_call_id: call.id, content: 'approve' }] },
        thread,
      );
      expect((await resumed.json()).choices[0].message.content).toContain('delete_draft returned');
      expect(target.server.tools.executions).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it('emits a malformed approval id under the bad-approval-id fault', async () => {
    const target = await make();
    try {
      const body = await (
        await chat(target, { messages: userSays(DELETE) }, { 'x-threadline-fault': 'bad-approval-id' })
      ).json();
      const id = body.choices[0].message.tool_calls[0].id;
      expect(parseApprovalId(id)).toBeNull();
    } finally {
      await target.close();
    }
  });

  it('keeps server tools out of turns that send client tools', async () => {
    const target = await make();
    try {
      const tools = [{ type: 'function', function: { name: 'noop', parameters: { type: 'object' } } }];
      const body = await (
        await chat(target, { messages: userSays(DELETE), tools, tool_choice: 'none' })
      ).json();
      expect(body.choices[0]).toMatchObject({
        finish_reason: 'stop',
        message: { content: `You said: ${DELETE}` },
      });
      expect(target.server.tools.executions).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

describe('configured server tools', () => {
  it('serves config tools instead of the demo ones, with canned results, and fixtures may call them', async () => {
    const [, make] = TARGETS[0]!;
    const target = await make({
      serverTools: [
        { name: 'ping_host', trigger: 'ping (?<host>\\S+)', result: { reachable: true } },
        { name: 'wipe_disk', destructive: true, parameters: { type: 'object', required: ['disk'] } },
      ],
      fixtures: [
        {
          match: { userText: 'wipe it' },
          reply: { serverTool: { name: 'wipe_disk', arguments: { disk: 'sda' } } },
        },
      ],
    });
    const say = async (text: string) =>
      (await (await chat(target, { messages: userSays(text) })).json()).choices[0];
    expect((await say('ping example.org')).message.content).toBe('ping_host returned {"reachable":true}');
    expect((await say(DELETE)).message.content).toBe(`You said: ${DELETE}`);
    const paused = await say('wipe it');
    expect(paused.message.tool_calls[0].function).toEqual({ name: 'wipe_disk', arguments: '{"disk":"sda"}' });
    expect(target.server.tools.executions.map((e) => e.arguments)).toEqual([{ host: 'example.org' }]);
  });
});
