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
      const deltas = paused.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      const delta = deltas[0]!;
      expect(parseApprovalId(delta.id!)?.runId).toBe(paused[0]!.id);
      // The stream names the real tool and its arguments, as the JSON answer does.
      expect(delta.function?.name).toBe('delete_draft');
      expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe('{"draft_id":"Q3-plan"}');
      expect(streamedText(paused)).toBe('');
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

  it('decides several pauses in one request; case and surrounding whitespace are ignored', async () => {
    const target = await make();
    try {
      const first = (await pause(target)).call;
      const other = await (
        await chat(target, { messages: userSays('Please delete the draft old-2.') })
      ).json();
      const second = other.choices[0].message.tool_calls[0] as Call;
      const response = await chat(target, {
        messages: [
          { role: 'tool', tool_call_id: first.id, content: '  Approve\n' },
          { role: 'tool', tool_call_id: second.id, content: 'REJECT' },
        ],
      });
      const body = await response.json();
      expect(body.choices[0].message.content).toBe(
        'delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}\ndelete_draft was not run: the call was rejected.',
      );
      expect(body.stop_reason).toBe('approval_rejected');
      expect(target.server.tools.executions.map((e) => e.arguments)).toEqual([{ draft_id: 'Q3-plan' }]);
      expect(await run(target, parseApprovalId(first.id)!.runId)).toMatchObject({ status: 'completed' });
      expect(await run(target, other.id)).toMatchObject({ status: 'approval_rejected' });
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

describe.each(TARGETS)('configured server tools (%s)', (_name, make) => {
  it('serves config tools instead of the demo ones, with canned results, and fixtures may call them', async () => {
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
    try {
      const say = async (text: string) =>
        (await (await chat(target, { messages: userSays(text) })).json()).choices[0];
      expect((await say('ping example.org')).message.content).toBe('ping_host returned {"reachable":true}');
      expect((await say(DELETE)).message.content).toBe(`You said: ${DELETE}`);
      const paused = await say('wipe it');
      expect(paused.message.tool_calls[0].function).toEqual({
        name: 'wipe_disk',
        arguments: '{"disk":"sda"}',
      });
      expect(target.server.tools.executions.map((e) => e.arguments)).toEqual([{ host: 'example.org' }]);
    } finally {
      await target.close();
    }
  });

  it('runs an implementation with its run and owner, or answers a default result', async () => {
    const seen: unknown[] = [];
    const target = await make({
      serverTools: [
        {
          name: 'count_words',
          trigger: 'count (?<text>\\w+)',
          run: (args, context) => {
            seen.push(context);
            return `${String(args.text).length} letters`;
          },
        },
        { name: 'noop', trigger: '^noop$' },
      ],
    });
    try {
      const counted = await (
        await chat(target, { messages: userSays('count banana') }, { 'x-user-id': 'zoe' })
      ).json();
      expect(counted.choices[0].message.content).toBe('count_words returned 6 letters');
      expect(seen).toEqual([{ runId: counted.id, owner: expect.stringMatching(/\/zoe$/) }]);
      const noop = await (await chat(target, { messages: userSays('noop') })).json();
      expect(noop.choices[0].message.content).toBe('noop returned {"ok":true,"tool":"noop","arguments":{}}');
    } finally {
      await target.close();
    }
  });

  it('fails a call missing a required argument (500) before any approval is issued', async () => {
    const target = await make({
      serverTools: [
        { name: 'wipe_disk', destructive: true, trigger: 'wipe', parameters: { required: ['disk'] } },
      ],
    });
    try {
      const response = await chat(target, { messages: userSays('wipe it') });
      expect(response.status).toBe(500);
      expect((await response.json()).error.message).toContain("'wipe_disk' was called without");
      expect(await run(target, response.headers.get('x-threadline-run-id')!)).toMatchObject({
        status: 'failed',
        tool_calls: [],
      });
    } finally {
      await target.close();
    }
  });

  it('refuses a config naming two tools alike', async () => {
    await expect(make({ serverTools: [{ name: 'twin' }, { name: 'twin' }] })).rejects.toThrow(
      /serverTools: duplicate tool name 'twin'/,
    );
  });
});
