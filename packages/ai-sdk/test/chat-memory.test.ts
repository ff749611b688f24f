import { InvalidArgumentError } from '@ai-sdk/provider';
import { convertReadableStreamToArray } from '@ai-sdk/provider-utils/test';
import { generateText, type ModelMessage, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/server';

const ref = useServer();
const STATED = 'Please remember this code word: HERON-41.';

/** The user turns a memory scope holds (`session:<id>` or `thread:<id>`). */
function userTurns(scope: string): string[] {
  const key = ref.server.memory.scopes().find((k) => k.endsWith(`\u0000${scope}`));
  return key
    ? ref.server.memory
        .list(key)
        .filter((e) => e.role === 'user')
        .map((e) => e.text)
    : [];
}

describe('memory and identity through providerOptions.threadline', () => {
  it('by session: a later call recalls what an earlier one said; another session does not', async () => {
    const model = ref.provider().chat('');
    const session = { threadline: { sessionId: 'mem-1', userId: 'ada' } };
    await generateText({ model, prompt: STATED, providerOptions: session });
    const recalled = await generateText({
      model,
      prompt: 'What is the code word?',
      providerOptions: session,
    });
    expect(recalled.text).toContain('HERON-41');
    const other = await generateText({
      model,
      prompt: 'What is the code word?',
      providerOptions: { threadline: { sessionId: 'mem-2', userId: 'ada' } },
    });
    expect(other.text).not.toContain('HERON-41');
    const first = ref.journal().find((e) => e.path === '/v1/chat/completions');
    expect(first?.headers).toMatchObject({ 'x-session-id': 'mem-1', 'x-user-id': 'ada' });
  });

  it('provider defaults apply to every call, per-call options and headers win', async () => {
    const model = ref.provider({ sessionId: 'default-session', agentId: 'smt_a' }).chat('');
    await generateText({
      model,
      prompt: 'hi',
      providerOptions: { threadline: { sessionId: 'call-session', apiVersion: '2026-05-01' } },
      headers: { 'X-User-Id': 'from-header' },
    });
    expect(ref.journal().at(-1)?.headers).toMatchObject({
      'x-session-id': 'call-session',
      'x-user-id': 'from-header',
      'ic-smith-id': 'smt_a',
      'ic-api-version': '2026-05-01',
    });
  });

  it('by thread: only the new turn is sent, with a warning naming what was left out, and the thread recalls', async () => {
    const model = ref.provider({ threadId: 'thr-1' }).chat('');
    const first = await generateText({ model, prompt: STATED });
    const messages: ModelMessage[] = [
      { role: 'user', content: STATED },
      ...first.response.messages,
      { role: 'user', content: 'What is the code word?' },
    ];
    const second = await generateText({ model, messages });
    expect(second.text).toContain('HERON-41');
    expect(ref.chatBodies().at(-1)?.messages).toEqual([{ role: 'user', content: 'What is the code word?' }]);
    expect(second.warnings).toContainEqual(
      expect.objectContaining({ type: 'other', message: expect.stringContaining('2 earlier') }),
    );
    expect(userTurns('thread:thr-1')).toEqual([STATED, 'What is the code word?']);
  });

  it('on a thread a decision alone resumes; the call is repeated before its result since the prompt lacks it', async () => {
    const model = ref.provider({ threadId: 'thr-approve' }).chat('');
    const paused = await generateText({ model, prompt: 'Please delete the draft Q3-plan.' });
    const request = paused.content.find((p) => p.type === 'tool-approval-request');
    const approvalId = request?.type === 'tool-approval-request' ? request.approvalId : '';
    const { stream } = await model.doStream({
      prompt: [{ role: 'tool', content: [{ type: 'tool-approval-response', approvalId, approved: true }] }],
    });
    const parts = await convertReadableStreamToArray(stream);
    const tools = parts.filter((p) => p.type === 'tool-call' || p.type === 'tool-result');
    expect(tools).toMatchObject([
      { type: 'tool-call', toolCallId: approvalId, providerExecuted: true, dynamic: true },
      { type: 'tool-result', toolCallId: approvalId, toolName: 'delete_draft', result: { deleted: true } },
    ]);
    expect(ref.chatBodies().at(-1)?.messages).toEqual([
      { role: 'tool', tool_call_id: approvalId, content: 'approve' },
    ]);
  });

  it('a scope the dialect has no header for is an unsupported warning, not a silent drop', async () => {
    const model = ref.provider({ dialect: 'openai' }).chat('');
    const result = await generateText({
      model,
      prompt: 'hi',
      providerOptions: { threadline: { sessionId: 's' } },
    });
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ type: 'unsupported', feature: 'providerOptions.threadline.sessionId' }),
    );
    expect(ref.journal().at(-1)?.headers['x-session-id']).toBeUndefined();
  });

  it('a wrong type or an unknown key in providerOptions.threadline is an InvalidArgumentError', async () => {
    const model = ref.provider().chat('');
    for (const threadline of [{ sessionId: 42 }, { sesionId: 'typo' }]) {
      const error = await generateText({
        model,
        prompt: 'hi',
        providerOptions: { threadline } as never,
      }).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
    }
    expect(ref.chatBodies()).toHaveLength(0);
  });
});

describe('streamRetries after a mid-stream error never stores a stateful turn twice', () => {
  const retried = async () => {
    const errors: unknown[] = [];
    const result = streamText({
      model: ref.provider().chat(''),
      prompt: STATED,
      providerOptions: { threadline: { sessionId: 'retry-1' } },
      streamRetries: 1,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    return { text: await result.text, errors };
  };

  it('the journal shows the resend under the same Idempotency-Key; the session holds and recalls the turn once', async () => {
    ref.server.faults.enqueue('error-frame-after=1');
    const { text } = await retried();
    expect(text).toContain(`You said: ${STATED}`);
    const attempts = ref.journal().filter((e) => e.path === '/v1/chat/completions');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]?.headers['idempotency-key']).toBe(attempts[0]?.headers['idempotency-key']);
    expect(userTurns('session:retry-1')).toEqual([STATED]);
    const recalled = await generateText({
      model: ref.provider().chat(''),
      prompt: 'What is the code word?',
      providerOptions: { threadline: { sessionId: 'retry-1' } },
    });
    expect(recalled.text).toContain('HERON-41');
    expect(userTurns('session:retry-1')).toEqual([STATED, 'What is the code word?']);
  });

  it('control: a server that ignores the key stores the resend again (so the check above can fail)', async () => {
    ref.server.faults.enqueue('error-frame-after=1; ignore-idempotency-key');
    ref.server.faults.enqueue('ignore-idempotency-key');
    await retried();
    expect(userTurns('session:retry-1')).toEqual([STATED, STATED]);
  });

  it('the same words sent again on a thread after an answer are a new turn with a new key', async () => {
    const model = ref.provider({ threadId: 'thr-twice' }).chat('');
    await generateText({ model, prompt: 'yes' });
    const streamed = streamText({ model, prompt: 'yes' });
    await streamed.text;
    await generateText({ model, prompt: 'yes' });
    const keys = ref.journal().map((e) => e.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(userTurns('thread:thr-twice')).toEqual(['yes', 'yes', 'yes']);
  });
});
