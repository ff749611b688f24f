import { ERROR_CODES } from '@threadline/protocol';
import { ensureErrorAnswer } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT } from './support';

const family = { family: 'memory' } as const;
const auth = { ...family, capability: 'auth', section: SECTIONS.identity } as const;

/** A key no server issued: the run's tag makes it unique, the prefix makes it read as a key. */
const wrongKey = (ctx: CheckContext) => `sk-conformance-wrong-${ctx.uid('key').replace(/[^A-Za-z0-9]/g, '')}`;

/** A chat request with a bearer key the server never issued (and no other credentials). */
const withWrongKey = (ctx: CheckContext) =>
  ctx.send({
    path: CHAT,
    json: ctx.chatBody('hello'),
    anonymous: true,
    headers: { authorization: `Bearer ${wrongKey(ctx)}` },
  });

/** Credentials where auth is declared: none, or a wrong key, is 401. */
export const AUTH_CHECKS: Check[] = [
  {
    ...auth,
    id: 'auth.missing-credentials',
    title: 'A chat request without credentials is 401',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody('hello'), anonymous: true });
      ensureErrorAnswer(answer, { status: 401 }, 'a chat request without credentials');
    },
  },
  {
    ...auth,
    id: 'auth.missing-credentials-models',
    title: 'GET /v1/models without credentials is 401',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({ path: '/v1/models', anonymous: true });
      ensureErrorAnswer(answer, { status: 401 }, 'GET /v1/models without credentials');
    },
  },
  {
    ...auth,
    id: 'auth.missing-credentials-code',
    title: 'Missing credentials carry code "missing_credentials"',
    level: 'SHOULD',
    async run(ctx) {
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody('hello'), anonymous: true });
      ensureErrorAnswer(
        answer,
        { status: 401, code: ERROR_CODES.missingCredentials },
        'a request without credentials',
      );
    },
  },
  {
    ...auth,
    id: 'auth.wrong-key',
    title: 'A chat request with a wrong API key is 401',
    level: 'MUST',
    async run(ctx) {
      ensureErrorAnswer(await withWrongKey(ctx), { status: 401 }, 'a chat request with a wrong API key');
    },
  },
  {
    ...auth,
    id: 'auth.wrong-key-code',
    title: 'A wrong API key carries code "invalid_api_key"',
    level: 'SHOULD',
    async run(ctx) {
      ensureErrorAnswer(
        await withWrongKey(ctx),
        { status: 401, code: ERROR_CODES.invalidApiKey },
        'a chat request with a wrong API key',
      );
    },
  },
];
