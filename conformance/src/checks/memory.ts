import { CheckSkipped } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT, codeWord, ensureCompletion, ensureNotRecalled, ensureRecalled } from './support';

const family = { family: 'memory' } as const;
const RECALL = 'What is the code word I gave you earlier? Answer with the code word only.';

/** One JSON turn; returns the reply text. */
async function say(
  ctx: CheckContext,
  text: string,
  headers: Record<string, string>,
  what: string,
): Promise<string> {
  const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(text), headers });
  return ensureCompletion(answer, what).choices[0]!.message.content ?? '';
}

/** Headers naming a fresh session (and a fresh user when the dialect has a user header). */
function session(ctx: CheckContext, user?: string): Record<string, string> {
  const { sessionHeader, userHeader } = ctx.dialect.memory;
  const headers: Record<string, string> = { [sessionHeader!]: ctx.uid('sess') };
  if (userHeader) headers[userHeader] = user ?? ctx.uid('user');
  return headers;
}

/**
 * Turn 1 states a code word with the `planting` headers; turn 2 asks for it with the `asking` ones.
 * Returns the word and the reply to turn 2.
 */
async function plantThenAsk(
  ctx: CheckContext,
  planting: Record<string, string>,
  asking: Record<string, string>,
  what: string,
): Promise<{ word: string; reply: string }> {
  const word = codeWord(ctx);
  await say(ctx, `Please remember this code word: ${word}.`, planting, 'turn 1 (stating the code word)');
  return { word, reply: await say(ctx, RECALL, asking, what) };
}

/** Family 5: memory by session and thread, isolated per user (credentials: auth.ts). */
export const MEMORY_CHECKS: Check[] = [
  {
    ...family,
    id: 'memory.session.recall',
    title: 'A code word stated in turn 1 is recalled in turn 2 of the same session',
    capability: 'memory-session',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const headers = session(ctx);
      const { word, reply } = await plantThenAsk(ctx, headers, headers, 'turn 2 (same session)');
      ensureRecalled(reply, word, 'the session did not recall the code word');
    },
  },
  {
    ...family,
    id: 'memory.session.absent-without-header',
    title: 'Without a session header, nothing stored is retrieved',
    capability: 'memory-session',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const headers = session(ctx);
      const { userHeader } = ctx.dialect.memory;
      const sameUser = userHeader ? { [userHeader]: headers[userHeader]! } : {};
      const { word, reply } = await plantThenAsk(ctx, headers, sameUser, 'turn 2 (no session)');
      ensureNotRecalled(reply, word, 'a turn without a session saw stored memory');
    },
  },
  {
    ...family,
    id: 'memory.session.nothing-stored-without-header',
    title: 'A turn without a session header stores nothing: a later session does not recall it',
    capability: 'memory-session',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const headers = session(ctx);
      const { userHeader } = ctx.dialect.memory;
      const sameUser = userHeader ? { [userHeader]: headers[userHeader]! } : {};
      const what = 'turn 2 (a session, after a turn without one)';
      const { word, reply } = await plantThenAsk(ctx, sameUser, headers, what);
      ensureNotRecalled(reply, word, 'a turn without a session was stored and recalled by a session');
    },
  },
  {
    ...family,
    id: 'memory.session.user-isolation',
    title: 'Another user on the same session id cannot see the code word',
    capability: 'memory-session',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const { sessionHeader, userHeader } = ctx.dialect.memory;
      if (!userHeader) throw new CheckSkipped(`dialect ${ctx.dialect.name} names no user header`);
      const headers = session(ctx);
      const intruder = { [sessionHeader!]: headers[sessionHeader!]!, [userHeader]: ctx.uid('intruder') };
      const what = 'turn 2 (another user, same session id)';
      const { word, reply } = await plantThenAsk(ctx, headers, intruder, what);
      ensureNotRecalled(reply, word, "another user saw the session's memory");
    },
  },
  {
    ...family,
    id: 'memory.session.other-session',
    title: 'Another session of the same user does not see the code word',
    capability: 'memory-session',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const { sessionHeader } = ctx.dialect.memory;
      const headers = session(ctx);
      const otherSession = { ...headers, [sessionHeader!]: ctx.uid('sess') };
      const { word, reply } = await plantThenAsk(ctx, headers, otherSession, 'turn 2 (another session)');
      ensureNotRecalled(reply, word, 'another session saw the memory');
    },
  },
  {
    ...family,
    id: 'memory.thread.recall',
    title: 'On a thread, turn 2 sends only the new message and the code word is recalled',
    capability: 'memory-thread',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const headers = { [ctx.dialect.memory.threadHeader!]: ctx.uid('thread') };
      const { word, reply } = await plantThenAsk(ctx, headers, headers, 'turn 2 (same thread)');
      ensureRecalled(reply, word, 'the thread did not recall the code word');
    },
  },
  {
    ...family,
    id: 'memory.thread.absent-without-header',
    title: 'Without the thread header, the thread is not in play',
    capability: 'memory-thread',
    level: 'MUST',
    section: SECTIONS.memory,
    async run(ctx) {
      const thread = { [ctx.dialect.memory.threadHeader!]: ctx.uid('thread') };
      const { word, reply } = await plantThenAsk(ctx, thread, {}, 'turn 2 (no thread)');
      ensureNotRecalled(reply, word, 'a turn without a thread saw its memory');
    },
  },
];
