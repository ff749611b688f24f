import { HEADERS } from '@threadline/protocol';
import { ensure } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT, codeWord, ensureCompletion } from './support';

/**
 * A stateful turn resent with the same Idempotency-Key (an SDK retrying a call whose stream broke) is
 * one turn: the resend must not find its own first attempt in memory. Judged by the prompt tokens the
 * server reports: the resend's context is the first attempt's, so it costs the same. A server that
 * stored the first attempt as a turn of its own hands it back (as thread history, or as retrieved
 * context in a session) and the resend costs more.
 */
async function promptTokens(
  ctx: CheckContext,
  text: string,
  headers: Record<string, string>,
  what: string,
): Promise<number> {
  const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(text), headers });
  const completion = ensureCompletion(answer, what);
  const tokens = (completion as { usage?: { prompt_tokens?: unknown } }).usage?.prompt_tokens;
  ensure(
    typeof tokens === 'number',
    `${what}: the answer has no usage.prompt_tokens`,
    'usage.prompt_tokens',
    answer.text,
  );
  return tokens;
}

async function resendOnce(ctx: CheckContext, scope: Record<string, string>, where: string): Promise<void> {
  const headers = { ...scope, [HEADERS.idempotencyKey]: ctx.uid('idem') };
  const text = `Please remember this code word: ${codeWord(ctx)}.`;
  const first = await promptTokens(ctx, text, headers, 'the first attempt');
  const resent = await promptTokens(ctx, text, headers, 'the resend (same Idempotency-Key)');
  ensure(
    resent === first,
    `the resend saw its own first attempt in the ${where}: the turn was stored once per attempt`,
    `prompt_tokens ${first} (the first attempt's context)`,
    `prompt_tokens ${resent}`,
  );
}

const family = { family: 'memory' } as const;

export const MEMORY_RESEND_CHECKS: Check[] = [
  {
    ...family,
    id: 'memory.session.idempotent-resend',
    title: 'A session turn resent with the same Idempotency-Key is stored once',
    capability: 'memory-session',
    level: 'SHOULD',
    section: SECTIONS.memory,
    async run(ctx) {
      const { sessionHeader, userHeader } = ctx.dialect.memory;
      const scope: Record<string, string> = { [sessionHeader!]: ctx.uid('sess') };
      if (userHeader) scope[userHeader] = ctx.uid('user');
      await resendOnce(ctx, scope, 'session');
    },
  },
  {
    ...family,
    id: 'memory.thread.idempotent-resend',
    title: 'A thread turn resent with the same Idempotency-Key is stored once',
    capability: 'memory-thread',
    level: 'SHOULD',
    section: SECTIONS.memory,
    async run(ctx) {
      await resendOnce(ctx, { [ctx.dialect.memory.threadHeader!]: ctx.uid('thread') }, 'thread');
    },
  },
];
