import {
  chatCompletionSchema,
  healthSchema,
  modelListSchema,
  modelSchema,
} from '@threadline/protocol/schemas';
import { ensure, ensureGround, ensureOk, ensureSchema, show } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  ensureCompletion,
  ensureNotFound,
  ensureUsageAddsUp,
  GROUND,
  PLAIN_PROMPT,
  plainCompletion,
} from './support';
import { WIRE_STREAM_CHECKS } from './wire-stream';

const LISTED = 'models.list-shape';

const wire = { family: 'wire' } as const;

/** Family 1: the JSON completion, every SSE frame and their semantics, models and health. */
export const WIRE_CHECKS: Check[] = [
  {
    ...wire,
    id: 'chat.json.schema',
    title: 'A JSON completion matches the protocol schema',
    capability: 'chat',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const answer = await ctx.sharedSend('json-plain', { path: CHAT, json: ctx.chatBody(PLAIN_PROMPT) });
      ensureOk(answer, 'a plain chat turn');
      ensureSchema(chatCompletionSchema, answer.json, 'chat.completion');
    },
  },
  {
    ...wire,
    id: 'chat.json.text-answer',
    title: 'A plain turn answers non-empty text with one finish_reason',
    capability: 'chat',
    after: [GROUND.jsonTurn],
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const { completion } = await plainCompletion(ctx);
      const choice = completion.choices[0]!;
      ensure(
        completion.choices.length === 1,
        'more than one choice for n=1',
        'one choice',
        completion.choices.length,
      );
      ensure(
        typeof choice.message.content === 'string' && choice.message.content.length > 0,
        'the answer has no text',
        'non-empty message.content',
        choice.message,
      );
      ensure(
        ['stop', 'length'].includes(choice.finish_reason),
        'unexpected finish_reason',
        'stop or length',
        choice.finish_reason,
      );
    },
  },
  {
    ...wire,
    id: 'chat.json.usage-totals',
    title: 'usage.total_tokens equals prompt_tokens + completion_tokens',
    capability: 'chat',
    after: [GROUND.jsonTurn],
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const { answer, completion } = await plainCompletion(ctx);
      ensure(completion.usage, 'the completion carries no usage', 'a usage object', answer.json);
      ensureUsageAddsUp(completion.usage);
    },
  },
  {
    ...wire,
    id: 'chat.json.unknown-fields-ignored',
    title: 'Request fields the server does not know are ignored, not rejected',
    capability: 'chat',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const answer = await ctx.send({
        path: CHAT,
        json: ctx.chatBody(PLAIN_PROMPT, { x_conformance_future_field: { nested: [1, 2] } }),
      });
      ensureCompletion(answer, 'a turn with an unknown field');
    },
  },
  {
    ...wire,
    id: 'chat.json.max-tokens-length',
    title: 'max_tokens cuts the answer with finish_reason "length"',
    capability: 'sampling',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const answer = await ctx.send({
        path: CHAT,
        json: ctx.chatBody('Count slowly from one to twenty, in words.', { max_tokens: 1 }),
      });
      const completion = ensureCompletion(answer, 'a turn with max_tokens 1');
      const choice = completion.choices[0]!;
      ensure(
        choice.finish_reason === 'length',
        'the answer was not cut at max_tokens',
        'finish_reason "length"',
        choice,
      );
      const used = completion.usage?.completion_tokens;
      ensure(
        used === undefined || used <= 1,
        'more tokens than max_tokens',
        'completion_tokens ≤ 1',
        completion.usage,
      );
    },
  },
  ...WIRE_STREAM_CHECKS,
  {
    ...wire,
    id: 'models.list-shape',
    title: 'GET /v1/models lists models in the protocol shape',
    capability: 'models',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.sharedSend('models-list', { path: '/v1/models' });
      ensureOk(answer, 'GET /v1/models');
      const list = ensureSchema(modelListSchema, answer.json, 'model list');
      ensure(list.data.length > 0, 'the model list is empty', 'at least one model', list);
    },
  },
  {
    ...wire,
    id: 'models.retrieve',
    title: 'GET /v1/models/{id} returns the listed model',
    capability: 'models',
    after: [LISTED],
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const list = await ctx.sharedSend('models-list', { path: '/v1/models' });
      const data = (list.json as { data?: Array<{ id?: unknown }> } | undefined)?.data;
      const id = Array.isArray(data) ? data[0]?.id : undefined;
      ensureGround(
        list.status === 200 && typeof id === 'string' && id,
        LISTED,
        'GET /v1/models lists no model id to look up',
        'a listed model id',
        `HTTP ${list.status} ${show(list.text)}`,
      );
      const answer = await ctx.send({ path: `/v1/models/${encodeURIComponent(id)}` });
      ensureOk(answer, `GET /v1/models/${id}`);
      const model = ensureSchema(modelSchema, answer.json, 'model');
      ensure(model.id === id, 'the model has another id', id, model.id);
    },
  },
  {
    ...wire,
    id: 'models.unknown-id',
    title: 'GET /v1/models/{id} for a model that is not listed is 404 with an error body',
    capability: 'models',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      await ensureNotFound(ctx, '/v1/models/conformance-no-such-model');
    },
  },
  {
    ...wire,
    id: 'health.shape',
    title: 'GET /health answers status, engine, ledger_status and cache_status',
    capability: 'health',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: '/health', anonymous: true });
      ensureOk(answer, 'GET /health');
      ensureSchema(healthSchema, answer.json, 'health');
    },
  },
];
