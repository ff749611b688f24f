import { afterEach, describe, expect, it } from 'vitest';
import { respond, streamEvents } from './support/responses';
import { chat, chunks, errorOf, frames, inProcess, overPort, type Target, userSays } from './support/target';

// A stateful turn carrying an Idempotency-Key is stored once however often it is resent (the AI SDK's
// streamRetries resends a whole call after an in-stream error). Proved against the real server: the
// journal shows every attempt, the ledger and later turns show the user's turn once.

const FAULT = 'x-threadline-fault';
const STATED = 'Please remember this code word: HERON-41.';

let target: Target;
afterEach(async () => {
  await target?.close();
});

/** The roles and texts a scope holds, by the scope's id (`session:<id>` or `thread:<id>`). */
function held(scope: string): Array<[string | null, string]> {
  const key = target.server.memory.scopes().find((k) => k.endsWith(`\u0000${scope}`));
  return key ? target.server.memory.list(key).map((e) => [e.role, e.text]) : [];
}

const userTurns = (scope: string) => held(scope).filter(([role]) => role === 'user');

async function journalOf(path: string) {
  const entries = (await (await target.fetch('/__threadline/journal')).json()).entries as Array<{
    path: string;
    status: number;
    headers: Record<string, string>;
  }>;
  return entries.filter((e) => e.path === path);
}

const streamed = (headers: Record<string, string>) =>
  chat(target, { messages: userSays(STATED), stream: true }, headers);

describe('Idempotency-Key on the chat door', () => {
  it('a resend after a mid-stream error stores the user turn once, with the resend’s reply', async () => {
    target = await overPort();
    const session = { 'x-session-id': 'resend-1', 'idempotency-key': 'call-1' };
    const broken = await frames(await streamed({ ...session, [FAULT]: 'error-frame-after=1' }));
    expect(broken.some((f) => f.data.includes('"error"'))).toBe(true);
    // The failed attempt left what the user said, and no half reply.
    expect(held('session:resend-1')).toEqual([['user', STATED]]);
    const again = await chunks(await streamed(session));
    expect(again.at(-1)?.choices[0]?.finish_reason).toBe('stop');

    const attempts = await journalOf('/v1/chat/completions');
    expect(attempts.map((e) => [e.status, e.headers['idempotency-key']])).toEqual([
      [200, 'call-1'],
      [200, 'call-1'],
    ]);
    expect(held('session:resend-1')).toEqual([
      ['user', STATED],
      ['assistant', `You said: ${STATED}`],
    ]);
    // What the session recalls: the code word, from the one stored turn.
    const asked = await chat(
      target,
      { messages: userSays('What is the code word?') },
      { 'x-session-id': 'resend-1' },
    );
    expect((await asked.json()).choices[0].message.content).toContain('HERON-41');
  });

  it('the resend is answered from the memory its first attempt saw, on a thread too', async () => {
    target = await inProcess();
    const thread = { 'ic-thread-id': 'thr-resend', 'idempotency-key': 'call-2' };
    const ask = async (headers: Record<string, string>) =>
      (await (await chat(target, { messages: userSays(STATED) }, headers)).json()).usage.prompt_tokens;
    const first = await ask(thread);
    // Sent again, the thread does not hand the turn its own earlier attempt as history.
    expect(await ask(thread)).toBe(first);
    expect(userTurns('thread:thr-resend')).toHaveLength(1);
    // A later turn's prompt holds the turn once: it costs what it costs after a single send.
    const later = async (id: string) =>
      (await (await chat(target, { messages: userSays('next') }, { 'ic-thread-id': id })).json()).usage
        .prompt_tokens;
    await ask({ 'ic-thread-id': 'thr-once' });
    expect(await later('thr-resend')).toBe(await later('thr-once'));
  });

  it('another key, or none, is another turn: stored twice', async () => {
    target = await inProcess();
    for (const key of ['k-a', 'k-b']) {
      await (
        await chat(target, { messages: userSays(STATED) }, { 'x-session-id': 'two', 'idempotency-key': key })
      ).text();
    }
    for (let i = 0; i < 2; i++)
      await (await chat(target, { messages: userSays(STATED) }, { 'x-session-id': 'none' })).text();
    expect(userTurns('session:two')).toHaveLength(2);
    expect(userTurns('session:none')).toHaveLength(2);
  });

  it('the same key with another request is 422 idempotency_key_reused, and stores nothing', async () => {
    target = await inProcess();
    const session = { 'x-session-id': 'reuse', 'idempotency-key': 'call-3' };
    await (await chat(target, { messages: userSays(STATED) }, session)).text();
    for (const body of [
      { messages: userSays('Something else entirely.') },
      { messages: userSays(STATED), max_tokens: 3 },
      { messages: userSays('Something else entirely.'), stream: true },
    ]) {
      expect(await errorOf(await chat(target, body, session))).toMatchObject({
        status: 422,
        type: 'invalid_request_error',
        code: 'idempotency_key_reused',
        param: 'idempotency-key',
      });
    }
    expect(held('session:reuse')).toHaveLength(2);
    // Streamed or not is the same request: a JSON resend of a streamed turn is a resend.
    expect((await chat(target, { messages: userSays(STATED), stream: true }, session)).status).toBe(200);
    expect(userTurns('session:reuse')).toHaveLength(1);
  });

  it('a resend that fails never replaces a stored answer', async () => {
    target = await inProcess();
    const session = { 'x-session-id': 'kept', 'idempotency-key': 'call-4' };
    await (await chat(target, { messages: userSays(STATED) }, session)).text();
    await frames(await streamed({ ...session, [FAULT]: 'error-frame-after=1' }));
    expect(held('session:kept')).toEqual([
      ['user', STATED],
      ['assistant', `You said: ${STATED}`],
    ]);
  });

  it('refuses an over-long or empty key on a stateful turn with a typed 400; a stateless turn ignores it', async () => {
    target = await inProcess();
    for (const key of ['k'.repeat(257), ' ', 'two words']) {
      const response = await chat(
        target,
        { messages: userSays(STATED) },
        { 'x-session-id': 'long', 'idempotency-key': key },
      );
      expect(await errorOf(response)).toMatchObject({
        status: 400,
        code: 'invalid_value',
        param: 'idempotency-key',
      });
    }
    expect(held('session:long')).toEqual([]);
    const longest = { 'x-session-id': 'long', 'idempotency-key': 'k'.repeat(256) };
    expect((await chat(target, { messages: userSays(STATED) }, longest)).status).toBe(200);
    const stateless = { 'idempotency-key': 'k'.repeat(300) };
    expect((await chat(target, { messages: userSays(STATED) }, stateless)).status).toBe(200);
  });

  it('the ignore-idempotency-key fault stores every resend', async () => {
    target = await inProcess();
    const session = {
      'x-session-id': 'faulted',
      'idempotency-key': 'call-5',
      [FAULT]: 'ignore-idempotency-key',
    };
    for (let i = 0; i < 2; i++) await (await chat(target, { messages: userSays(STATED) }, session)).text();
    expect(userTurns('session:faulted')).toHaveLength(2);
  });
});

describe('Idempotency-Key on the responses door', () => {
  const input = (stream: boolean) => ({ input: STATED, stream });

  it('a resend after a mid-stream error stores the user turn once', async () => {
    target = await overPort();
    const session = { 'x-session-id': 'resp-1', 'idempotency-key': 'resp-call-1' };
    const broken = await streamEvents(
      await respond(target, input(true), { ...session, [FAULT]: 'error-frame-after=1' }),
    );
    expect(broken.at(-1)?.type).toBe('response.failed');
    expect(held('session:resp-1')).toEqual([['user', STATED]]);
    const again = await streamEvents(await respond(target, input(true), session));
    expect(again.at(-1)?.type).toBe('response.completed');
    const attempts = await journalOf('/v1/responses');
    expect(attempts.map((e) => e.headers['idempotency-key'])).toEqual(['resp-call-1', 'resp-call-1']);
    expect(held('session:resp-1')).toEqual([
      ['user', STATED],
      ['assistant', `You said: ${STATED}`],
    ]);
  });

  it('JSON resends, a different key and a reused key behave as on chat', async () => {
    target = await inProcess();
    const session = (key: string) => ({ 'x-session-id': 'resp-2', 'idempotency-key': key });
    for (let i = 0; i < 2; i++) expect((await respond(target, input(false), session('a'))).status).toBe(200);
    expect(userTurns('session:resp-2')).toHaveLength(1);
    expect((await respond(target, input(false), session('b'))).status).toBe(200);
    expect(userTurns('session:resp-2')).toHaveLength(2);
    const reused = await respond(target, { input: 'Another turn.' }, session('a'));
    expect(await errorOf(reused)).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    expect(userTurns('session:resp-2')).toHaveLength(2);
  });
});
