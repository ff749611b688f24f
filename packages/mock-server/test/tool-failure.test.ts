import { describe, expect, it } from 'vitest';
import { expectItemsInOrder, respond, responseBody, streamEvents, terminalOf } from './support/responses';
import { chat, chunks, streamedText, TARGETS, type TargetFactory, userSays } from './support/target';

const CHECK = 'Please check the stock of widgets.';
const WIPE = 'Please wipe the archive.';

/** Server tools that fail: a read-only one that throws, a destructive one that throws once approved. */
const failing = (make: TargetFactory) =>
  make({
    serverTools: [
      {
        name: 'check_stock',
        trigger: String.raw`\bcheck the stock\b`,
        run: () => {
          throw new Error('the inventory service is down');
        },
      },
      {
        name: 'wipe_archive',
        destructive: true,
        trigger: String.raw`\bwipe the archive\b`,
        run: async () => {
          throw new Error('the archive is read-only');
        },
      },
    ],
  });

const failedItem = (name: string, message: string) => ({
  type: 'mcp_call',
  name,
  server_label: 'threadline',
  status: 'failed',
  output: null,
  error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: message }] },
});

describe.each(TARGETS)('a server tool that fails (%s)', (_name, make) => {
  it('on /v1/responses: a failed mcp_call item, then the answer says so; the run completes', async () => {
    const target = await failing(make);
    try {
      const response = await respond(target, { input: CHECK });
      expect(response.status).toBe(200);
      const body = await responseBody(response);
      expect(body.status).toBe('completed');
      expect(body.output.map((item: { type: string }) => item.type)).toEqual(['mcp_call', 'message']);
      expect(body.output[0]).toMatchObject(failedItem('check_stock', 'the inventory service is down'));
      expect(body.output[1].content[0].text).toBe('check_stock failed: the inventory service is down');
      const record = await (await target.fetch(`/v1/runs/${body.id}`)).json();
      expect(record).toMatchObject({ status: 'completed' });
      expect(record.tool_calls).toMatchObject([
        { name: 'check_stock', status: 'failed', result: null, error: 'the inventory service is down' },
      ]);
      expect(target.server.tools.executions.at(-1)).toMatchObject({
        tool: 'check_stock',
        error: 'the inventory service is down',
      });
    } finally {
      await target.close();
    }
  });

  it('on a /v1/responses stream: added → mcp_call.in_progress → mcp_call.failed → done, then text', async () => {
    const target = await failing(make);
    try {
      const events = await streamEvents(await respond(target, { input: CHECK, stream: true }));
      expectItemsInOrder(events);
      expect(events.filter((e) => e.output_index === 0).map((e) => e.type)).toEqual([
        'response.output_item.added',
        'response.mcp_call.in_progress',
        'response.mcp_call.failed',
        'response.output_item.done',
      ]);
      expect(events.find((e) => e.type === 'response.output_item.added')!.item).toMatchObject({
        type: 'mcp_call',
        status: 'in_progress',
        error: null,
      });
      expect(events.find((e) => e.type === 'response.output_item.done')!.item).toMatchObject(
        failedItem('check_stock', 'the inventory service is down'),
      );
      expect(events.at(-1)!.type).toBe('response.completed');
      expect(terminalOf(events).output[1].content[0].text).toContain('check_stock failed');
    } finally {
      await target.close();
    }
  });

  it('on chat: no 500; the reply says the tool failed and the run record shows the failed call', async () => {
    const target = await failing(make);
    try {
      const response = await chat(target, { messages: userSays(CHECK) });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.choices[0].message.content).toBe('check_stock failed: the inventory service is down');
      expect(body.choices[0].finish_reason).toBe('stop');
      const runId = response.headers.get('x-run-id') ?? body.id;
      const record = await (await target.fetch(`/v1/runs/${runId}`)).json();
      expect(record.tool_calls).toMatchObject([{ name: 'check_stock', status: 'failed' }]);
      const streamed = await chat(target, { messages: userSays(CHECK), stream: true });
      expect(streamedText(await chunks(streamed))).toBe('check_stock failed: the inventory service is down');
    } finally {
      await target.close();
    }
  });

  it('a destructive tool that fails after approval: failed mcp_call with approval_request_id; run completes', async () => {
    const target = await failing(make);
    try {
      const paused = await responseBody(await respond(target, { input: WIPE }));
      const request = paused.output.at(-1);
      expect(request.type).toBe('mcp_approval_request');
      const events = await streamEvents(
        await respond(target, {
          previous_response_id: paused.id,
          input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
          stream: true,
        }),
      );
      expect(events.map((e) => e.type)).toContain('response.mcp_call.failed');
      const final = terminalOf(events);
      expect(final.status).toBe('completed');
      expect(final.output[0]).toMatchObject({
        ...failedItem('wipe_archive', 'the archive is read-only'),
        approval_request_id: request.id,
      });
      expect(final.output.at(-1).content[0].text).toBe('wipe_archive failed: the archive is read-only');
      const record = await (await target.fetch(`/v1/runs/${paused.id}`)).json();
      expect(record).toMatchObject({ status: 'completed' });
      expect(record.tool_calls).toMatchObject([
        { id: request.id, status: 'failed', error: 'the archive is read-only' },
      ]);
      // The decision was spent: deciding it again is the usual 400.
      const again = await respond(target, {
        previous_response_id: paused.id,
        input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      });
      expect(again.status).toBe(400);
    } finally {
      await target.close();
    }
  });

  it('on chat, approving a destructive tool that fails: the reply says so, not a 500', async () => {
    const target = await failing(make);
    try {
      const first = await (await chat(target, { messages: userSays(WIPE) })).json();
      const call = first.choices[0].message.tool_calls[0];
      const response = await chat(target, {
        messages: [
          ...userSays(WIPE),
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'approve' },
        ],
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.choices[0].message.content).toBe('wipe_archive failed: the archive is read-only');
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('the demo set fails a server tool on a documented input (%s)', (_name, make) => {
  it('look up order BROKEN-1: a failed call on both doors, the turn answers that it failed', async () => {
    const target = await make();
    try {
      const prompt = 'Please look up order BROKEN-1.';
      const said = 'lookup_order failed: the order service is unavailable for BROKEN-1';
      const body = await responseBody(await respond(target, { input: prompt }));
      expect(body.output[0]).toMatchObject(
        failedItem('lookup_order', 'the order service is unavailable for BROKEN-1'),
      );
      expect(body.output[1].content[0].text).toBe(said);
      const reply = await (await chat(target, { messages: userSays(prompt) })).json();
      expect(reply.choices[0].message.content).toBe(said);
      // Other orders still work.
      const ok = await responseBody(await respond(target, { input: 'Please look up order A-1002.' }));
      expect(ok.output[0]).toMatchObject({ type: 'mcp_call', status: 'completed', error: null });
    } finally {
      await target.close();
    }
  });
});

describe.each(TARGETS)('a failed mcp_call replayed as input (%s)', (_name, make) => {
  it('carries its error into the conversation as the tool result the model answers from', async () => {
    const target = await failing(make);
    try {
      const first = await responseBody(await respond(target, { input: CHECK }));
      const replayed = await responseBody(
        await respond(target, { input: [{ role: 'user', content: CHECK }, first.output[0]] }),
      );
      expect(replayed.status).toBe('completed');
      expect(replayed.output.at(-1).content[0].text).toContain('the inventory service is down');
    } finally {
      await target.close();
    }
  });
});
