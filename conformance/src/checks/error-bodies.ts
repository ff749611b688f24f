import type { ErrorShape } from '@threadline/protocol';
import { ERROR_GROUND, ensure, rawErrorCode, show } from '../internal/expect';
import type { Exchange } from '../internal/http';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT, PLAIN_PROMPT } from './support';

const wire = { family: 'wire' } as const;

/** The model id no server serves: its JSON turn is the unknown-model 404. */
export const UNKNOWN_MODEL = 'conformance-no-such-model';

/** The JSON turn for an unknown model (shared with stream-errors.unknown-model.json). */
export const unknownModelJson = (ctx: CheckContext) =>
  ctx.sharedSend('unknown-model-json', {
    path: CHAT,
    json: { model: UNKNOWN_MODEL, messages: [{ role: 'user', content: 'hello' }] },
  });

interface Provoked {
  what: string;
  answer: Exchange;
  /** The shape the dialect promises for this answer. */
  shape: ErrorShape;
}

/** Error answers every server gives: an unknown route, a body that is not JSON, a bad value, an unknown model. */
async function provokedErrors(ctx: CheckContext): Promise<Provoked[]> {
  const { errorShape, modelNotFoundShape } = ctx.dialect;
  const [route, json, value, model] = await Promise.all([
    ctx.sharedSend('error-unknown-route', { path: '/v1/conformance-no-such-route' }),
    ctx.sharedSend('error-invalid-json', {
      path: CHAT,
      body: '{"messages": [',
      headers: { 'content-type': 'application/json' },
    }),
    ctx.sharedSend('error-bad-value', { path: CHAT, json: ctx.chatBody(PLAIN_PROMPT, { temperature: 2.5 }) }),
    unknownModelJson(ctx),
  ]);
  return [
    { what: 'GET of an unknown route', answer: route, shape: errorShape },
    { what: 'a body that is not JSON', answer: json, shape: errorShape },
    { what: 'temperature 2.5', answer: value, shape: errorShape },
    { what: 'an unknown model', answer: model, shape: modelNotFoundShape },
  ].filter((p) => p.answer.status >= 400);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a body has the shape: nested `{"error":{"message",…}}`, flat `{"message",…}`, string `{"error":"…"}`. */
function hasShape(body: unknown, shape: ErrorShape): boolean {
  if (!isRecord(body)) return false;
  if (shape === 'nested') return isRecord(body.error) && typeof body.error.message === 'string';
  if (shape === 'string') return typeof body.error === 'string';
  return typeof body.message === 'string' && body.error === undefined;
}

const SHAPES: Record<ErrorShape, string> = {
  nested: '{"error":{"message","type","param","code"}}',
  flat: '{"message","type","param","code"}',
  string: '{"error":"…"}',
};

/** Family 1: error bodies have the shape the dialect promises, and codes are strings. */
export const ERROR_BODY_CHECKS: Check[] = [
  {
    ...wire,
    id: ERROR_GROUND.shape,
    title: "Error bodies have the dialect's shape (nested for OpenAI-style servers)",
    capability: 'errors',
    level: 'MUST',
    section: SECTIONS.errors,
    async run(ctx) {
      const provoked = await provokedErrors(ctx);
      ensure(provoked.length > 0, 'no request was answered with an error', 'error answers', 'only 2xx');
      for (const { what, answer, shape } of provoked) {
        ensure(
          hasShape(answer.json, shape),
          `${what}: the error body is not ${shape} (dialect ${ctx.dialect.name})`,
          SHAPES[shape],
          `HTTP ${answer.status} ${show(answer.text)}`,
        );
      }
    },
  },
  {
    ...wire,
    id: ERROR_GROUND.codeType,
    title: 'An error code is a string or null, never a number',
    capability: 'errors',
    level: 'MUST',
    section: SECTIONS.errors,
    async run(ctx) {
      for (const { what, answer } of await provokedErrors(ctx)) {
        const code = rawErrorCode(answer.json);
        ensure(
          code === undefined || code === null || typeof code === 'string',
          `${what}: the error code is a ${typeof code}`,
          'code: a string or null',
          `HTTP ${answer.status} ${show(answer.text)}`,
        );
      }
    },
  },
];
