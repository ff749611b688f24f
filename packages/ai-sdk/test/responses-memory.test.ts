import { generateText, streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { responsesBodies } from './support/responses';
import { useServer } from './support/server';

// Memory and identity on the Responses door, and a retried stream that must not store its turn twice.
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

describe('memory by session and thread on responses', () => {
  it('by session: a later call recalls the earlier turn; the scope travels as the dialect’s headers', async () => {
    const model = ref.provider().responses('');
    const session = { threadline: { sessionId: 'r-mem-1', userId: 'ada' } };
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
      providerOptions: { threadline: { sessionId: 'r-mem-2', userId: 'ada' } },
    });
    expect(other.text).not.toContain('HERON-41');
    expect(ref.journal()[0]!.headers).toMatchObject({ 'x-session-id': 'r-mem-1', 'x-user-id': 'ada' });
  });

  it('by thread: only the new turn is sent (with a warning), and the thread holds the conversation', async () => {
    const model = ref.provider({ threadId: 'r-thread-1' }).responses('');
    const first = await generateText({ model, prompt: STATED });
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: STATED },
        ...first.response.messages,
        { role: 'user', content: 'Next.' },
      ],
    });
    expect(responsesBodies(ref.journal()).at(-1)!.input).toEqual([
      { role: 'user', content: [{ type: 'input_text', text: 'Next.' }] },
    ]);
    expect(second.warnings).toContainEqual(expect.objectContaining({ feature: 'conversation history' }));
    expect(userTurns('thread:r-thread-1')).toEqual([STATED, 'Next.']);
  });
});

describe('streamRetries after a mid-stream error never stores a stateful turn twice (responses)', () => {
  const retried = async () => {
    const errors: unknown[] = [];
    const result = streamText({
      model: ref.provider().responses(''),
      prompt: STATED,
      providerOptions: { threadline: { sessionId: 'r-retry-1' } },
      streamRetries: 1,
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    return { text: await result.text, errors };
  };

  it('the resend carries the same Idempotency-Key; the session holds and recalls the turn once', async () => {
    ref.server.faults.enqueue('error-frame-after=1');
    const { text } = await retried();
    expect(text).toContain(`You said: ${STATED}`);
    const attempts = ref.journal().filter((e) => e.path === '/v1/responses');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.headers['idempotency-key']).toBe(attempts[0]!.headers['idempotency-key']);
    expect(userTurns('session:r-retry-1')).toEqual([STATED]);
    const recalled = await generateText({
      model: ref.provider().responses(''),
      prompt: 'What is the code word?',
      providerOptions: { threadline: { sessionId: 'r-retry-1' } },
    });
    expect(recalled.text).toContain('HERON-41');
    expect(userTurns('session:r-retry-1')).toEqual([STATED, 'What is the code word?']);
  });

  it('control: a server that ignores the key stores the resend again (so the check above can fail)', async () => {
    ref.server.faults.enqueue('error-frame-after=1; ignore-idempotency-key');
    ref.server.faults.enqueue('ignore-idempotency-key');
    await retried();
    expect(userTurns('session:r-retry-1')).toEqual([STATED, STATED]);
  });

  it('a call with other input gets another key', async () => {
    const model = ref.provider().responses('');
    await generateText({ model, prompt: 'one' });
    await generateText({ model, prompt: 'two' });
    const [a, b] = ref.journal().map((e) => e.headers['idempotency-key']);
    expect(a).not.toBe(b);
  });

  it('the same words sent again on a thread after an answer are a new turn with a new key', async () => {
    const model = ref.provider({ threadId: 'r-thr-twice' }).responses('');
    await generateText({ model, prompt: 'yes' });
    await streamText({ model, prompt: 'yes' }).text;
    const keys = ref.journal().map((e) => e.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
    expect(userTurns('thread:r-thr-twice')).toEqual(['yes', 'yes']);
  });
});
