import { isToolUIPart } from 'ai';
import { describe, expect, it } from 'vitest';
import { chatOn, settled } from './support/chat';
import { useServer } from './support/server';

const ref = useServer();

const toolParts = (messages: { parts: unknown[] }[]) =>
  messages.flatMap((m) => m.parts).filter((p) => isToolUIPart(p as never)) as Record<string, unknown>[];

describe('useChat flow: streamText + toUIMessageStreamResponse + addToolApprovalResponse', () => {
  it('shows the pause as one approval card; approving runs the tool and its result lands on that card', async () => {
    const { chat } = chatOn(ref.provider().chat(''), { threadline: { sessionId: 'ui-approve' } });
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
    expect(card?.toolCallId).toBe(approvalId);

    await chat.addToolApprovalResponse({ id: approvalId, approved: true });
    await settled(chat);
    const parts = toolParts(chat.messages);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({
      toolCallId: approvalId,
      state: 'output-available',
      output: { deleted: true, draft_id: 'Q3-plan' },
    });
    const text = chat.messages
      .at(-1)
      ?.parts.filter((p) => p.type === 'text')
      .map((p) => (p as { text: string }).text);
    expect(text?.join('')).toContain('delete_draft returned');
    const run = await ref.run(approvalId.split('::')[0]!, { 'x-session-id': 'ui-approve' });
    expect(run.tool_calls[0]?.status).toBe('executed');

    // The next turn carries the whole history (pause, decision, result) and is answered normally:
    // the deleted draft is gone, and nothing was decided twice.
    await chat.sendMessage({ text: 'List my drafts.' });
    await settled(chat);
    expect(chat.error).toBeUndefined();
    const last = chat.messages.at(-1)?.parts.filter((p) => p.type === 'text');
    expect(JSON.stringify(last)).toContain('list_drafts returned');
    expect(JSON.stringify(last)).not.toContain('Q3-plan');
  });

  it('rejecting runs nothing: the card shows the denial and the run record says rejected', async () => {
    const { chat } = chatOn(ref.provider().chat(''));
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
    expect(run.tool_calls[0]?.status).toBe('rejected');
    const decisions = ref.chatBodies().at(-1)!;
    expect(decisions.messages.filter((m) => m.role === 'tool')).toEqual([
      { role: 'tool', tool_call_id: approvalId, content: 'reject' },
    ]);
  });
});
