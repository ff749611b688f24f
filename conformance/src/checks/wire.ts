import { SSE_CONTENT_TYPE } from '@threadline/protocol';
import { healthSchema, modelListSchema, modelSchema } from '@threadline/protocol/schemas';
import { ensure, ensureOk, ensureSchema } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  chunksOf,
  ensureCompletion,
  ensureDoneLast,
  ensureUsageAddsUp,
  finishReasons,
  PLAIN_PROMPT,
  plainCompletion,
  plainStream,
  streamedText,
} from './support';

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
      await plainCompletion(ctx);
    },
  },
  {
    ...wire,
    id: 'chat.json.text-answer',
    title: 'A plain turn answers non-empty text with one finish_reason',
    capability: 'chat',
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
  {
    ...wire,
    id: 'chat.stream.content-type',
    title: 'A stream is sent as text/event-stream',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const type = stream.headers.get('content-type') ?? '';
      ensure(
        type.startsWith(SSE_CONTENT_TYPE),
        'wrong content type for a stream',
        SSE_CONTENT_TYPE,
        type || '(none)',
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.chunk-schema',
    title: 'Every data frame is a chat.completion.chunk matching the protocol schema',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const chunks = chunksOf(stream);
      ensure(chunks.length > 0, 'the stream carried no chunks', 'at least one chunk', stream.frames);
    },
  },
  {
    ...wire,
    id: 'chat.stream.same-id',
    title: 'Every chunk of a stream carries the same id',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const ids = [...new Set(chunksOf(stream).map((c) => c.id))];
      ensure(ids.length === 1, 'chunk ids differ within one stream', 'one id across chunks', ids);
    },
  },
  {
    ...wire,
    id: 'chat.stream.role-first',
    title: 'The first chunk carries role "assistant"',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const first = chunksOf(stream)[0];
      ensure(
        first?.choices[0]?.delta.role === 'assistant',
        'the first delta has no role',
        'delta.role "assistant"',
        first,
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.one-finish-reason',
    title: 'Exactly one chunk carries a finish_reason',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const reasons = finishReasons(chunksOf(stream));
      ensure(reasons.length === 1, 'not exactly one finish_reason', 'one non-null finish_reason', reasons);
    },
  },
  {
    ...wire,
    id: 'chat.stream.text',
    title: 'A plain streamed turn delivers non-empty text',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const text = streamedText(chunksOf(stream));
      ensure(
        text.length > 0,
        'the deltas carry no text',
        'non-empty delta.content',
        stream.frames.slice(0, 5),
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.done-terminator',
    title: 'A stream ends with data: [DONE]',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      ensureDoneLast(stream, 'a plain streamed turn');
    },
  },
  {
    ...wire,
    id: 'chat.stream.nothing-after-done',
    title: 'Nothing follows [DONE] (with usage asked for)',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx, true);
      const at = stream.frames.findIndex((f) => f.data === '[DONE]');
      ensure(at !== -1, 'the stream has no [DONE]', 'data: [DONE]', stream.bodyError ?? 'no [DONE] frame');
      const after = stream.frames.slice(at + 1);
      ensure(after.length === 0, 'frames follow [DONE]', 'no frame after [DONE]', after);
    },
  },
  {
    ...wire,
    id: 'chat.stream.usage-chunk',
    title: 'include_usage adds one final chunk with choices [] and usage',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx, true);
      const chunks = chunksOf(stream);
      const last = chunks.at(-1);
      ensure(
        last && last.choices.length === 0 && last.usage,
        'no usage chunk at the end',
        'a last chunk with choices [] and usage',
        last,
      );
      const finishAt = chunks.findIndex((c) => c.choices.some((ch) => ch.finish_reason !== null));
      ensure(
        finishAt === chunks.length - 2,
        'the usage chunk does not follow the finish chunk',
        'finish chunk, then usage chunk',
        chunks.slice(-3),
      );
    },
  },
  {
    ...wire,
    id: 'chat.stream.usage-totals',
    title: 'The usage chunk adds up: total = prompt + completion',
    capability: 'streaming',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx, true);
      const usage = chunksOf(stream).findLast((c) => c.usage)?.usage;
      ensure(usage, 'no usage in the stream', 'a usage chunk', stream.frames.slice(-3));
      ensureUsageAddsUp(usage);
    },
  },
  {
    ...wire,
    id: 'chat.stream.no-usage-unasked',
    title: 'Without include_usage no usage chunk is sent',
    capability: 'streaming',
    level: 'SHOULD',
    section: SECTIONS.streaming,
    async run(ctx) {
      const stream = await plainStream(ctx);
      const extra = chunksOf(stream).filter((c) => c.choices.length === 0);
      ensure(extra.length === 0, 'a usage chunk was sent unasked', 'no chunk with choices []', extra);
    },
  },
  {
    ...wire,
    id: 'models.list-shape',
    title: 'GET /v1/models lists models in the protocol shape',
    capability: 'models',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: '/v1/models' });
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
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      const list = await ctx.send({ path: '/v1/models' });
      ensureOk(list, 'GET /v1/models');
      const id = ensureSchema(modelListSchema, list.json, 'model list').data[0]?.id;
      ensure(id, 'the model list is empty', 'at least one model', list.json);
      const answer = await ctx.send({ path: `/v1/models/${encodeURIComponent(id)}` });
      ensureOk(answer, `GET /v1/models/${id}`);
      const model = ensureSchema(modelSchema, answer.json, 'model');
      ensure(model.id === id, 'the model has another id', id, model.id);
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
