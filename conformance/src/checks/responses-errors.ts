import { ERROR_CODES, parseErrorBody } from '@threadline/protocol';
import { ERROR_GROUND, ensure, ensureErrorAnswer, ensureGround, show } from '../internal/expect';
import type { Exchange, StreamExchange } from '../internal/http';
import { type Check, SECTIONS } from '../runner/types';
import {
  ensureStreamOpened,
  eventsOf,
  isObj,
  looseResponse,
  outputText,
  RESPONSES,
  RESPONSES_GROUND,
  responsesBody,
} from './responses-support';

const family = { family: 'responses', capability: 'responses', section: SECTIONS.responses } as const;
const streamed = { ...family, requires: ['streaming'] } as const;
const readsErrors = { after: [ERROR_GROUND.shape, ERROR_GROUND.codeType] } as const;

const UNKNOWN_MODEL = 'threadline-conformance-no-such-model';

/** An answer that is a completed response with no text and no items of substance: an empty success. */
function isEmptyCompleted(value: unknown): boolean {
  const response = looseResponse(value);
  const substantial = response.output.some((item) => item.type !== 'message');
  return response.status === 'completed' && !substantial && outputText(response) === '';
}

/** A failed response's code: `response.error.code`, a string. */
const failureCode = (value: unknown): unknown => looseResponse(value).error?.code;

/** A turn that must fail, answered without a stream: an error status with an error body, or a failed response. */
function ensureFailedAnswer(answer: Exchange, what: string): void {
  if (answer.status >= 400) {
    const error = parseErrorBody(answer.json ?? answer.text, answer.status);
    ensureGround(
      error.shape !== 'unknown',
      ERROR_GROUND.shape,
      `${what}: the error answer has no error body`,
      'an error body',
      `HTTP ${answer.status} ${show(answer.text)}`,
    );
    return;
  }
  const got = `HTTP ${answer.status} ${show(answer.text)}`;
  ensure(
    answer.status === 200 && isObj(answer.json),
    `${what}: neither an error nor a response`,
    'an error',
    got,
  );
  ensure(!isEmptyCompleted(answer.json), `${what}: answered a completed, empty response`, 'an error', got);
  const response = looseResponse(answer.json);
  ensure(
    response.status === 'failed',
    `${what}: the response did not fail`,
    'status "failed"',
    response.status,
  );
  const code = failureCode(answer.json);
  ensure(
    typeof code === 'string' && code,
    `${what}: the failed response names no error code`,
    'error.code',
    response.error,
  );
}

/**
 * A streamed turn that must fail: an error status before the stream, or a stream whose last event is an
 * `error` event or `response.failed` (with a code) and that never says `response.completed`.
 */
function ensureFailedStream(stream: StreamExchange, what: string, allowStatus: boolean): void {
  if (allowStatus && stream.status >= 400) {
    const error = parseErrorBody(stream.json ?? stream.text, stream.status);
    ensureGround(
      error.shape !== 'unknown',
      ERROR_GROUND.shape,
      `${what}: the error answer has no error body`,
      'an error body',
      `HTTP ${stream.status} ${show(stream.text)}`,
    );
    return;
  }
  ensureStreamOpened(stream, what, allowStatus ? undefined : RESPONSES_GROUND.streamOpens);
  const events = eventsOf(stream);
  const types = events.map((e) => e.type);
  ensure(
    !types.includes('response.completed'),
    `${what}: the stream says response.completed`,
    'an error event or response.failed',
    types,
  );
  const last = events.at(-1);
  ensureGround(
    !stream.bodyError,
    RESPONSES_GROUND.streamCompletes,
    `${what}: the stream broke off (${stream.bodyError}) instead of saying it failed`,
    'an error event or response.failed last',
    types,
  );
  ensure(
    last && (last.type === 'error' || last.type === 'response.failed'),
    `${what}: the stream does not end with an error event or response.failed`,
    'error or response.failed last',
    types,
  );
  const code =
    last.type === 'error'
      ? (last.code ?? (isObj(last.error) ? last.error.code : undefined))
      : failureCode(last.response);
  ensure(typeof code === 'string' && code, `${what}: the failure names no code`, 'a string code', last);
}

/** Family responses, errors: a failing turn says so, never with an empty success. */
export const RESPONSES_ERROR_CHECKS: Check[] = [
  {
    ...family,
    ...readsErrors,
    id: 'responses.unknown-model.json',
    title:
      'An unknown model is an error answer or a failed response with a code, never an empty completed one',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({
        path: RESPONSES,
        json: { ...responsesBody(ctx, 'Hello.'), model: UNKNOWN_MODEL },
      });
      ensureFailedAnswer(answer, 'a turn for an unknown model');
    },
  },
  {
    ...streamed,
    ...readsErrors,
    id: 'responses.unknown-model.stream',
    title: 'Streamed, an unknown model is an error answer or ends response.failed with a code',
    level: 'MUST',
    async run(ctx) {
      const stream = await ctx.stream({
        path: RESPONSES,
        json: { ...responsesBody(ctx, 'Hello.', { stream: true }), model: UNKNOWN_MODEL },
      });
      ensureFailedStream(stream, 'a streamed turn for an unknown model', true);
    },
  },
  {
    ...streamed,
    requires: ['streaming', 'stream-errors'],
    fixtures: ['failingPrompt'],
    after: [RESPONSES_GROUND.streamOpens, RESPONSES_GROUND.streamCompletes],
    id: 'responses.failing-turn.stream',
    title: 'A turn failing mid-stream ends with an error event or response.failed, never completed',
    level: 'MUST',
    async run(ctx) {
      const stream = await ctx.stream({
        path: RESPONSES,
        json: responsesBody(ctx, ctx.fixtures.failingPrompt!, { stream: true }),
      });
      ensureFailedStream(stream, 'the failing prompt, streamed', false);
    },
  },
  {
    ...family,
    ...readsErrors,
    id: 'responses.errors.param',
    title: 'An out-of-range parameter is 400 naming it in param',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, 'Hello.', { temperature: 5 }),
      });
      ensureErrorAnswer(answer, { status: 400, param: 'temperature' }, 'temperature 5');
    },
  },
];

/** Family responses, continuation: previous_response_id. */
export const RESPONSES_CONTINUATION_CHECKS: Check[] = [
  {
    ...family,
    ...readsErrors,
    id: 'responses.previous-response.unknown-id',
    title: 'An unknown previous_response_id is 404 previous_response_not_found',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, 'Hello.', {
          previous_response_id: `resp_${ctx.uid('missing').replace(/-/g, '')}`,
        }),
      });
      ensureErrorAnswer(
        answer,
        { status: 404, code: ERROR_CODES.previousResponseNotFound },
        'an unknown previous_response_id',
      );
    },
  },
];
