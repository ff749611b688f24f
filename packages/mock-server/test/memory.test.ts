import { describe, expect, it } from 'vitest';
import { THREAD_WINDOW } from '../src/memory/hooks';
import { chat, TARGETS, userSays } from './support/target';

const say = (body: Response) => body.json().then((b) => b.choices[0].message.content as string);

describe.each(TARGETS)('memory (%s)', (_name, make) => {
  it('recalls a fact stated in an earlier turn of the same session', async () => {
    const target = await make();
    try {
      const session = { 'x-session-id': 'recall-1' };
      await say(await chat(target, { messages: userSays('The vault code word is QUETZAL-93.') }, session));
      await say(await chat(target, { messages: userSays('I also like green tea.') }, session));
      const reply = await say(
        await chat(target, { messages: userSays('What is the vault code word?') }, session),
      );
      expect(reply).toBe(
        'You said: What is the vault code word? From memory: The vault code word is QUETZAL-93.',
      );
    } finally {
      await target.close();
    }
  });

  it('asked the same question again and again, quotes at most 512 characters of memory', async () => {
    const target = await make();
    try {
      const session = { 'x-session-id': 'again' };
      // No sentence end: a whole earlier reply is then one sentence, which is what memory quotes.
      const question = 'what did I say about the benchmark prompt';
      const prefix = `You said: ${question} From memory: `;
      const replies: string[] = [];
      // Each reply quotes the one before (the model's own words are all that matches), so unclipped
      // the quote would grow by a whole reply every turn.
      for (let i = 0; i < 12; i++) {
        replies.push(await say(await chat(target, { messages: userSays(question) }, session)));
      }
      expect(replies[1]).toBe(`${prefix}You said: ${question}`);
      const last = replies.at(-1)!;
      expect(last.startsWith(prefix)).toBe(true);
      expect(last).toHaveLength(prefix.length + 512 + 1);
      expect(last.endsWith('…')).toBe(true);
      expect(replies.at(-2)).toBe(last);
    } finally {
      await target.close();
    }
  });

  it('answers the documented demo exchange; without X-User-Id the user is default-user', async () => {
    const target = await make();
    try {
      await say(
        await chat(target, { messages: userSays('My locker code is ZEBRA-42.') }, { 'x-session-id': 'demo' }),
      );
      const asked = userSays('What is my locker code?');
      const named = { 'x-session-id': 'demo', 'x-user-id': 'default-user' };
      expect(await say(await chat(target, { messages: asked }, named))).toBe(
        'You said: What is my locker code? From memory: My locker code is ZEBRA-42.',
      );
    } finally {
      await target.close();
    }
  });

  it('stores nothing without a session or thread header', async () => {
    const target = await make();
    try {
      await say(await chat(target, { messages: userSays('The vault code word is QUETZAL-93.') }));
      const reply = await say(await chat(target, { messages: userSays('What is the vault code word?') }));
      expect(reply).toBe('You said: What is the vault code word?');
      // Nor does a later session see what a stateless call said.
      const later = await say(
        await chat(target, { messages: userSays('What is the vault code word?') }, { 'x-session-id': 's' }),
      );
      expect(later).not.toContain('QUETZAL');
    } finally {
      await target.close();
    }
  });

  it('keeps two users sharing a session id apart, and sessions apart from each other', async () => {
    const target = await make();
    try {
      const alice = { 'x-session-id': 'shared', 'x-user-id': 'alice' };
      const bob = { 'x-session-id': 'shared', 'x-user-id': 'bob' };
      await say(await chat(target, { messages: userSays("Alice's locker code is HERON-11.") }, alice));
      const asked = userSays('What is the locker code?');
      expect(await say(await chat(target, { messages: asked }, bob))).toBe(
        'You said: What is the locker code?',
      );
      // default-user is a user of its own
      expect(await say(await chat(target, { messages: asked }, { 'x-session-id': 'shared' }))).not.toContain(
        'HERON',
      );
      expect(
        await say(await chat(target, { messages: asked }, { 'x-session-id': 'other', 'x-user-id': 'alice' })),
      ).not.toContain('HERON');
      expect(await say(await chat(target, { messages: asked }, alice))).toContain('HERON-11');
    } finally {
      await target.close();
    }
  });

  it('holds a thread: the caller sends only the new turn and the server supplies the history', async () => {
    const target = await make();
    try {
      const thread = { 'ic-thread-id': 'thr_1' };
      await say(await chat(target, { messages: userSays('first turn') }, thread));
      await say(await chat(target, { messages: userSays('second turn') }, thread));
      const body = await (await chat(target, { messages: userSays('/instructions') }, thread)).json();
      // prompt tokens prove the history reached the model: 3 + 5 messages (2 user, 2 assistant, 1 new).
      const alone = await (await chat(target, { messages: userSays('/instructions') })).json();
      expect(body.usage.prompt_tokens).toBeGreaterThan(alone.usage.prompt_tokens + 4 * 4);
      // A fixture matching on the turn index sees the earlier user turns too.
      target.server.fixtures.add({ match: { turn: 3 }, reply: { text: 'fourth user turn' } });
      expect(await say(await chat(target, { messages: userSays('again') }, thread))).toBe('fourth user turn');
      expect(await say(await chat(target, { messages: userSays('again') }))).not.toBe('fourth user turn');
    } finally {
      await target.close();
    }
  });

  it('hands the model at most the newest THREAD_WINDOW messages of a thread', async () => {
    const target = await make();
    try {
      const thread = { 'ic-thread-id': 'window' };
      // "!!" has no content word: nothing is retrieved, so each turn's prompt is the history plus the
      // same new turn, and each turn adds the same two messages.
      const promptTokens: number[] = [];
      for (let turn = 0; turn < THREAD_WINDOW / 2 + 3; turn++) {
        const response = await chat(target, { messages: userSays('!!') }, thread);
        expect(response.status).toBe(200);
        promptTokens.push((await response.json()).usage.prompt_tokens);
      }
      const at = (turn: number) => promptTokens[turn]!;
      // Turn k sees 2k stored messages until the window is full (turn THREAD_WINDOW / 2), then the same.
      const full = THREAD_WINDOW / 2;
      expect(at(1)).toBeGreaterThan(at(0));
      expect(at(full)).toBeGreaterThan(at(full - 1));
      expect(at(full) - at(full - 1)).toBe(at(1) - at(0));
      expect(at(full + 1)).toBe(at(full));
      expect(at(full + 2)).toBe(at(full));
    } finally {
      await target.close();
    }
  });

  it('keeps tool call state across thread turns: a tool result alone is answered by name', async () => {
    const target = await make({
      fixtures: [
        { match: { userText: 'check the weather' }, reply: { toolCalls: [{ name: 'get_weather' }] } },
      ],
    });
    try {
      const thread = { 'ic-thread-id': 'thr_calls' };
      const first = await (await chat(target, { messages: userSays('check the weather') }, thread)).json();
      const call = first.choices[0].message.tool_calls[0];
      expect(call.function.name).toBe('get_weather');
      // Only the tool result is sent: the server's copy of the thread names the call it answers.
      const result = [{ role: 'tool', tool_call_id: call.id, content: '{"tempC":21}' }];
      expect(await say(await chat(target, { messages: result }, thread))).toBe(
        'get_weather returned {"tempC":21}',
      );
      // Without the thread the same message has no call to name.
      expect(await say(await chat(target, { messages: result }))).not.toContain('get_weather');
    } finally {
      await target.close();
    }
  });

  it('stores server tool calls and their results in the thread', async () => {
    const target = await make();
    try {
      const thread = { 'ic-thread-id': 'thr_tools' };
      // Server tools are memory-backed: the read-only demo tool's call and result are in the thread.
      await say(await chat(target, { messages: userSays('Please look up order A-1002.') }, thread));
      const entries = target.server.memory.list(
        target.server.memory.scopes().find((key) => key.endsWith('thread:thr_tools'))!,
      );
      expect(entries.map((e) => e.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
      expect(entries[1]!.toolCalls[0]!.function.name).toBe('lookup_order');
      expect(entries[2]!.text).toContain('processing');
    } finally {
      await target.close();
    }
  });

  it('a turn that sends client tools neither reads nor writes memory', async () => {
    const target = await make();
    try {
      const session = { 'x-session-id': 'with-tools' };
      const tools = [{ type: 'function', function: { name: 'noop', parameters: { type: 'object' } } }];
      await say(
        await chat(
          target,
          { messages: userSays('The ferry code is OTTER-5.'), tools, tool_choice: 'none' },
          session,
        ),
      );
      expect(await say(await chat(target, { messages: userSays('What is the ferry code?') }, session))).toBe(
        'You said: What is the ferry code?',
      );
      // Nor is what the session holds retrieved for a turn with tools.
      await say(await chat(target, { messages: userSays('The bus code is HARE-9.') }, session));
      const asked = { messages: userSays('What is the bus code?'), tools, tool_choice: 'none' };
      expect(await say(await chat(target, asked, session))).toBe('You said: What is the bus code?');
      expect(
        await say(await chat(target, { messages: userSays('What is the bus code?') }, session)),
      ).toContain('HARE-9');
    } finally {
      await target.close();
    }
  });

  it('refuses a malformed session id with a typed 400', async () => {
    const target = await make();
    try {
      const response = await chat(target, { messages: userSays('x') }, { 'x-session-id': 'a b' });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toMatchObject({ code: 'invalid_value', param: 'x-session-id' });
    } finally {
      await target.close();
    }
  });
});
