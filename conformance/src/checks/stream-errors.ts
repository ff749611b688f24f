import { DONE, ERROR_CODES, parseErrorBody } from '@threadline/protocol';
import { ERROR_GROUND, ensure, ensureErrorAnswer, show } from '../internal/expect';
import type { Exchange, StreamExchange } from '../internal/http';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { UNKNOWN_MODEL, unknownModelJson } from './error-bodies';
import { CHAT, chunksOf, dataFrames, ensureStreamOpened, looseCompletion, streamedText } from './support';

const family = {
  family: 'stream-errors',
  after: [ERROR_GROUND.shape, ERROR_GROUND.codeType],
} as const;

const unknownModelStream = (ctx: CheckContext) =>
  ctx.sharedStream('unknown-model-stream', {
    path: CHAT,
    json: { model: UNKNOWN_MODEL, stream: true, messages: [{ role: 'user', content: 'hello' }] },
  });

const failingStream = (ctx: CheckContext) =>
  ctx.sharedStream('failing-stream', {
    path: CHAT,
    json: ctx.chatBody(ctx.fixtures.failingPrompt!, { stream: true }),
  });

const failingJson = (ctx: CheckContext) =>
  ctx.sharedSend('failing-json', { path: CHAT, json: ctx.chatBody(ctx.fixtures.failingPrompt!) });

/** The error frame of a stream: a data frame whose JSON has an `error` member. */
function errorFrameOf(stream: StreamExchange) {
  for (const frame of dataFrames(stream.frames)) {
    let value: unknown;
    try {
      value = JSON.parse(frame.data);
    } catch {
      continue;
    }
    if (typeof value === 'object' && value !== null && 'error' in value) return { frame, value };
  }
  return null;
}

/** The stream ends with an error frame, then [DONE], then nothing. Returns the parsed error. */
function ensureErrorFrameThenDone(stream: StreamExchange, what: string) {
  ensureStreamOpened(stream, what);
  const plain = stream.frames.filter((f) => f.event === undefined);
  const found = errorFrameOf(stream);
  const tail = plain.slice(-3).map((f) => f.data);
  ensure(found, `${what}: no error frame`, 'data: {"error":…} then data: [DONE]', stream.bodyError ?? tail);
  const at = plain.indexOf(found.frame);
  // [DONE] right after the error frame; anything after [DONE] is chat.stream.nothing-after-done's.
  ensure(
    plain[at + 1]?.data === DONE && !stream.bodyError,
    `${what}: the error frame is not followed by [DONE]`,
    'data: {"error":…} then data: [DONE]',
    stream.bodyError ?? tail,
  );
  const error = parseErrorBody(found.value);
  ensure(
    error.shape === 'nested' && error.message,
    `${what}: the error frame is not a nested error body`,
    '{"error":{"message",…}}',
    found.frame.data,
  );
  return error;
}

/** Neither answer may be a 200 whose completion stops with empty content (both read leniently). */
function ensureNotEmptySuccess(json: Exchange, stream: StreamExchange, what: string): void {
  if (json.status === 200 && typeof json.json === 'object' && json.json !== null) {
    const choice = looseCompletion(json.json).choices[0];
    ensure(
      !(choice?.finish_reason === 'stop' && !choice.message.content),
      `${what}: answered 200 + stop + empty content`,
      'an error',
      json.text,
    );
  }
  const chunks = chunksOf(stream);
  const stopped = chunks.some((c) => c.choices.some((ch) => ch.finish_reason === 'stop'));
  ensure(
    !(stream.status === 200 && stopped && streamedText(chunks) === '' && !errorFrameOf(stream)),
    `${what}: the stream ended 200 + stop + empty content`,
    'an error frame',
    show(stream.frames.map((f) => f.data)),
  );
}

/** Family 2: a failing turn says so — error frame + [DONE] in a stream, an error status without. */
export const STREAM_ERROR_CHECKS: Check[] = [
  {
    ...family,
    id: 'stream-errors.unknown-model.error-frame',
    title: 'A streamed turn for an unknown model ends with an error frame, then [DONE]',
    capability: 'stream-errors',
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      ensureErrorFrameThenDone(await unknownModelStream(ctx), 'a streamed turn for an unknown model');
    },
  },
  {
    ...family,
    id: 'stream-errors.unknown-model.frame-code',
    title: 'The unknown-model error frame carries code "model_not_found"',
    capability: 'stream-errors',
    level: 'SHOULD',
    section: SECTIONS.streaming,
    async run(ctx) {
      const error = ensureErrorFrameThenDone(
        await unknownModelStream(ctx),
        'a streamed turn for an unknown model',
      );
      ensure(error.code === ERROR_CODES.modelNotFound, 'wrong error code', 'model_not_found', error.code);
    },
  },
  {
    ...family,
    id: 'stream-errors.unknown-model.json',
    title: 'An unknown model without streaming is 404 model_not_found',
    capability: 'errors',
    level: 'MUST',
    section: SECTIONS.errors,
    async run(ctx) {
      const answer = await unknownModelJson(ctx);
      ensureErrorAnswer(answer, { status: 404, code: ERROR_CODES.modelNotFound }, 'an unknown model');
    },
  },
  {
    ...family,
    id: 'stream-errors.unknown-model.no-empty-success',
    title: 'An unknown model never gets 200 + stop + empty content, streamed or not',
    capability: 'stream-errors',
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      ensureNotEmptySuccess(await unknownModelJson(ctx), await unknownModelStream(ctx), 'an unknown model');
    },
  },
  {
    ...family,
    id: 'stream-errors.failing-turn.error-frame',
    title: 'A turn failing mid-stream ends with an error frame, then [DONE]',
    capability: 'stream-errors',
    fixtures: ['failingPrompt'],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      ensureErrorFrameThenDone(await failingStream(ctx), 'the failing prompt, streamed');
    },
  },
  {
    ...family,
    id: 'stream-errors.failing-turn.json',
    title: 'The same failing turn without streaming is non-2xx with an error body',
    capability: 'stream-errors',
    fixtures: ['failingPrompt'],
    level: 'MUST',
    section: SECTIONS.errors,
    async run(ctx) {
      const answer = await failingJson(ctx);
      ensure(
        answer.status >= 400,
        'the failing turn succeeded',
        'an HTTP error status',
        `HTTP ${answer.status} ${show(answer.text)}`,
      );
      ensureErrorAnswer(answer, { status: answer.status }, 'the failing prompt');
    },
  },
  {
    ...family,
    id: 'stream-errors.failing-turn.no-empty-success',
    title: 'A failing turn never gets 200 + stop + empty content, streamed or not',
    capability: 'stream-errors',
    fixtures: ['failingPrompt'],
    level: 'MUST',
    section: SECTIONS.chat,
    async run(ctx) {
      ensureNotEmptySuccess(await failingJson(ctx), await failingStream(ctx), 'the failing prompt');
    },
  },
];
