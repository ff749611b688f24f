import { isToolUIPart, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { chatOn, settled } from './support/chat';
import { responsesBodies } from './support/responses';
import { useServer } from './support/server';

// useChat's flow on the Responses door: streamText + toUIMessageStreamResponse + addToolApprovalResponse.
const ref = useServer();

const toolParts = (messages: { parts: unknown[] }[]) =>
  messages.flatMap((m) => m.parts).filter((p) => isToolUIPart(p as never)) as Record<string, unknown>[];

describe('useChat on responses', () => {
  it('a server tool shows as running (input available) before its output, then the answer', async () => {
    const result = streamText({
      model: ref.provider().responses(''),
      prompt: 'Please look up order A-1001.',
    });
    const chunks: Array<{ type: string; dynamic?: boolean; providerExecuted?: boolean }> = [];
    for await (const chunk of result.toUIMessageStream()) chunks.push(chunk);
    const types = chunks.map((c) => c.type);
    const running = types.indexOf('tool-input-available');
    expect(running).toBeGreaterThan(-1);
    expect(running).toBeLessThan(types.indexOf('tool-output-available'));
    expect(types.indexOf('tool-output-available')).toBeLessThan(types.indexOf('text-start'));
    expect(chunks[running]).toMatchObject({ dynamic: true, providerExecuted: true });

    const { chat } = chatOn(ref.provider().responses(''));
    await chat.sendMessage({ text: 'Please look up order A-1001.' });
    await settled(chat);
    expect(toolParts(chat.messages)).toEqual([
      expect.objectContaining({
        type: 'dynamic-tool',
        toolName: 'lookup_order',
        state: 'output-available',
        output: { order_id: 'A-1001', status: 'shipped', carrier: 'Parcelway', eta: '2026-12-03' },
      }),
    ]);
  });

  it('in useChat the server tool’s part is running (input-available) until its item is done', async () => {
    // Paced frames leave time between the item's added and done events to look at the chat.
    const paced = ref.provider({ headers: { 'x-threadline-chunk-delay': '80' } }).responses('');
    const { chat } = chatOn(paced);
    let done = false;
    const sent = chat.sendMessage({ text: 'Please look up order A-1001.' }).finally(() => {
      done = true;
    });
    const states: string[] = [];
    for (let i = 0; i < 1000 && !done; i++) {
      const state = toolParts(chat.messages)[0]?.state as string | undefined;
      if (state && states.at(-1) !== state) states.push(state);
      await new Promise((r) => setTimeout(r, 10));
    }
    await sent;
    await settled(chat);
    const final = toolParts(chat.messages)[0]?.state as string;
    if (states.at(-1) !== final) states.push(final);
    expect(states).toEqual(['input-available', 'output-available']);
  });

  it('the pause is one approval card; approving runs the tool and the result lands on that card', async () => {
    const { chat } = chatOn(ref.provider().responses(''), { threadline: { sessionId: 'r-ui-approve' } });
    await chat.sendMessage({ text: 'Please delete the draft Q3-plan.' });
    await settled(chat);
    const [card] = toolParts(chat.messages);
    expect(card).toMatchObject({
      type: 'dynamic-tool',
      toolName: 'delete_draft',
      state: 'approval-requested',
      providerExecuted: true,
      input: { draft_id: 'Q3-plan' },
    });
    const approvalId = (card!.approval as { id: string }).id;
    expect(card!.toolCallId).toBe(approvalId);

    await chat.addToolApprovalResponse({ id: approvalId, approved: true });
    await settled(chat);
    const parts = toolParts(chat.messages);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({
      toolCallId: approvalId,
      state: 'output-available',
      output: { deleted: true, draft_id: 'Q3-plan' },
    });
    expect(responsesBodies(ref.journal()).at(-1)!.input.at(-1)).toEqual({
      type: 'mcp_approval_response',
      approval_request_id: approvalId,
      approve: true,
    });

    // The next turn replays the whole history (pause, decision, server call) and is answered normally.
    await chat.sendMessage({ text: 'List my drafts.' });
    await settled(chat);
    expect(chat.error).toBeUndefined();
    const text = JSON.stringify(chat.messages.at(-1)?.parts.filter((p) => p.type === 'text'));
    expect(text).toContain('list_drafts returned');
    expect(text).not.toContain('Q3-plan');
    const replay = responsesBodies(ref.journal())
      .at(-1)!
      .input.map((item) => item.type ?? item.role);
    expect(replay).toEqual([
      'user',
      'mcp_approval_request',
      'mcp_approval_response',
      'mcp_call',
      'assistant',
      'user',
    ]);
  });

  it('rejecting runs nothing: the card shows the denial and the run record says rejected', async () => {
    const { chat } = chatOn(ref.provider().responses(''));
    await chat.sendMessage({ text: 'Please delete the draft Q4-budget.' });
    await settled(chat);
    const approvalId = (toolParts(chat.messages)[0]!.approval as { id: string }).id;
    await chat.addToolApprovalResponse({ id: approvalId, approved: false, reason: 'keep it' });
    await settled(chat);
    const parts = toolParts(chat.messages);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ toolCallId: approvalId, state: 'output-denied' });
    const run = await ref.run(approvalId.split('::')[0]!);
    expect(run.status).toBe('approval_rejected');
    expect(ref.server.tools.executions).toHaveLength(0);
    const input = responsesBodies(ref.journal()).at(-1)!.input;
    expect(input.filter((item) => item.type === 'mcp_approval_response')).toEqual([
      { type: 'mcp_approval_response', approval_request_id: approvalId, approve: false, reason: 'keep it' },
    ]);

    // The next turn replays the rejected pause without a server call, and the draft is still there.
    await chat.sendMessage({ text: 'List my drafts.' });
    await settled(chat);
    expect(chat.error).toBeUndefined();
    expect(JSON.stringify(chat.messages.at(-1)?.parts)).toContain('Q4-budget');
    const replay = responsesBodies(ref.journal())
      .at(-1)!
      .input.map((item) => item.type ?? item.role);
    expect(replay).toEqual(['user', 'mcp_approval_request', 'mcp_approval_response', 'assistant', 'user']);
  });
});
