import { ERROR_CODES, HEADERS } from '@threadline/protocol';
import { ERROR_GROUND, ensure, ensureErrorAnswer } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import { ERROR_BODY_CHECKS } from './error-bodies';
import { CHAT, ensureCompletion, ensureNotFound, PLAIN_PROMPT, sendRawChatBody } from './support';

/** Checks reading an error body's fields run after the checks judging error bodies as such. */
const wire = { family: 'wire', after: [ERROR_GROUND.shape, ERROR_GROUND.codeType] } as const;

/** One out-of-range or wrongly typed sampling parameter per check: each must be 400 naming it. */
const SAMPLING: Array<{ id: string; param: string; value: unknown; why: string }> = [
  { id: 'temperature-range', param: 'temperature', value: 2.5, why: 'temperature above 2' },
  { id: 'temperature-type', param: 'temperature', value: 'warm', why: 'temperature as a string' },
  { id: 'top-p-range', param: 'top_p', value: 1.5, why: 'top_p above 1' },
  { id: 'max-tokens-min', param: 'max_tokens', value: 0, why: 'max_tokens of 0' },
  { id: 'max-tokens-negative', param: 'max_tokens', value: -1, why: 'max_tokens of −1' },
  {
    id: 'max-completion-tokens-min',
    param: 'max_completion_tokens',
    value: 0,
    why: 'max_completion_tokens of 0',
  },
  {
    id: 'max-completion-tokens-negative',
    param: 'max_completion_tokens',
    value: -1,
    why: 'max_completion_tokens of −1',
  },
  { id: 'frequency-penalty-range', param: 'frequency_penalty', value: -3, why: 'frequency_penalty below −2' },
  { id: 'presence-penalty-range', param: 'presence_penalty', value: 2.5, why: 'presence_penalty above 2' },
  { id: 'stop-count', param: 'stop', value: ['a', 'b', 'c', 'd', 'e'], why: 'five stop sequences' },
  { id: 'n-only-one', param: 'n', value: 2, why: 'n of 2' },
  { id: 'top-logprobs-range', param: 'top_logprobs', value: 21, why: 'top_logprobs above 20' },
];

const samplingChecks: Check[] = SAMPLING.map((item) => ({
  ...wire,
  id: `chat.sampling.${item.id}`,
  title: `${item.why[0]!.toUpperCase()}${item.why.slice(1)} is 400 with param "${item.param}"`,
  capability: 'sampling',
  level: 'MUST',
  section: SECTIONS.chat,
  async run(ctx) {
    const extra: Record<string, unknown> = { [item.param]: item.value };
    if (item.param === 'top_logprobs') extra.logprobs = true;
    const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(PLAIN_PROMPT, extra) });
    ensureErrorAnswer(answer, { status: 400, param: item.param }, item.why);
  },
}));

/** Errors every route shares: unknown routes, bad JSON, request ids; message roles. */
export const ERROR_CHECKS: Check[] = [
  ...ERROR_BODY_CHECKS,
  ...samplingChecks,
  {
    ...wire,
    id: 'chat.messages.developer-role',
    title: 'A developer message is accepted like a system message',
    capability: 'chat',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const messages = [
        { role: 'developer', content: 'Answer in one short sentence.' },
        { role: 'user', content: PLAIN_PROMPT },
      ];
      ensureCompletion(await ctx.send({ path: CHAT, json: ctx.chatBody(messages) }), 'a developer message');
    },
  },
  {
    ...wire,
    id: 'chat.messages.unknown-role',
    title: 'A message with an unknown role is 400 naming messages[i].role',
    capability: 'chat',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      // The bad message is the second one, so a param naming messages[0] would be caught too.
      const messages = [
        { role: 'user', content: PLAIN_PROMPT },
        { role: 'narrator', content: 'Meanwhile, far away…' },
      ];
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(messages) });
      ensureErrorAnswer(answer, { status: 400, param: 'messages[1].role' }, 'a message with role "narrator"');
    },
  },
  {
    ...wire,
    id: 'errors.invalid-json',
    title: 'A body that is not JSON is 400 with an error body',
    capability: 'errors',
    level: 'MUST',
    section: SECTIONS.errors,
    async run(ctx) {
      const answer = await sendRawChatBody(ctx, '{"messages": [');
      ensureErrorAnswer(answer, { status: 400 }, 'a truncated JSON body');
    },
  },
  {
    ...wire,
    id: 'errors.invalid-json-code',
    title: 'A body that is not JSON carries code "invalid_json"',
    capability: 'errors',
    level: 'SHOULD',
    section: SECTIONS.errors,
    async run(ctx) {
      const answer = await sendRawChatBody(ctx, 'not json');
      ensureErrorAnswer(answer, { status: 400, code: ERROR_CODES.invalidJson }, 'a body that is not JSON');
    },
  },
  {
    ...wire,
    id: 'errors.unknown-route',
    title: 'An unknown route is 404 with an error body',
    capability: 'errors',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      await ensureNotFound(ctx, '/v1/conformance-no-such-route');
    },
  },
  {
    ...wire,
    id: 'errors.method-not-allowed',
    title: 'A wrong method on a known path is 405 with an error body',
    capability: 'errors',
    level: 'SHOULD',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: CHAT, method: 'GET' });
      ensureErrorAnswer(answer, { status: 405 }, 'GET /v1/chat/completions');
    },
  },
  {
    ...wire,
    id: 'errors.request-id',
    title: 'Responses carry x-request-id',
    capability: 'errors',
    level: 'SHOULD',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: '/v1/models' });
      const id = answer.headers.get(HEADERS.requestId);
      ensure(
        id,
        'no x-request-id header',
        'an x-request-id header',
        `HTTP ${answer.status}, no x-request-id`,
      );
    },
  },
];
