import { HEADERS } from '@threadline/protocol';
import { ensure } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT } from './support';

const wire = { family: 'wire' } as const;

/** The page a browser would call from: any origin will do, the server must not care which. */
const ORIGIN = 'https://app.conformance.example';

/** The headers a page must be able to read from an answer (docs/protocol.md, Endpoints). */
const EXPOSED = [HEADERS.requestId, HEADERS.runId, HEADERS.retryAfter, HEADERS.retryAfterMs];

/** A header list (`a, b`) as lower-case names; `*` stands for every name. */
const names = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);

const allowsOrigin = (headers: Headers): boolean => {
  const origin = headers.get('access-control-allow-origin');
  return origin === '*' || origin === ORIGIN;
};

/** CORS, for dialects whose servers web pages call directly. */
export const CORS_CHECKS: Check[] = [
  {
    ...wire,
    id: 'cors.preflight',
    title: 'An OPTIONS preflight is answered 2xx allowing the origin, POST and the request headers',
    capability: 'cors',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const wanted = ['authorization', 'content-type', HEADERS.sessionId];
      const answer = await ctx.send({
        path: CHAT,
        method: 'OPTIONS',
        anonymous: true,
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': wanted.join(', '),
        },
      });
      const seen = ['allow-origin', 'allow-methods', 'allow-headers']
        .map((h) => `access-control-${h}: ${answer.headers.get(`access-control-${h}`) ?? '(none)'}`)
        .join('; ');
      const got = `HTTP ${answer.status}; ${seen}`;
      ensure(answer.status >= 200 && answer.status < 300, 'the preflight was refused', 'HTTP 2xx', got);
      ensure(allowsOrigin(answer.headers), 'the preflight does not allow the origin', `* or ${ORIGIN}`, got);
      const methods = names(answer.headers.get('access-control-allow-methods'));
      ensure(
        methods.includes('*') || methods.includes('post'),
        'the preflight does not allow POST',
        'access-control-allow-methods with POST',
        got,
      );
      const allowed = names(answer.headers.get('access-control-allow-headers'));
      const missing = wanted.filter((h) => !allowed.includes('*') && !allowed.includes(h));
      ensure(
        missing.length === 0,
        `the preflight does not allow ${missing.join(', ')}`,
        `access-control-allow-headers with ${wanted.join(', ')}`,
        got,
      );
    },
  },
  {
    ...wire,
    id: 'cors.expose-headers',
    title: 'Answers to a page expose the request id, run id and retry headers',
    capability: 'cors',
    level: 'MUST',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: '/v1/models', headers: { origin: ORIGIN } });
      const exposed = names(answer.headers.get('access-control-expose-headers'));
      const got = `access-control-allow-origin: ${answer.headers.get('access-control-allow-origin') ?? '(none)'}; access-control-expose-headers: ${exposed.join(', ') || '(none)'}`;
      ensure(allowsOrigin(answer.headers), 'the answer does not allow the origin', `* or ${ORIGIN}`, got);
      const missing = EXPOSED.filter((h) => !exposed.includes('*') && !exposed.includes(h));
      ensure(
        missing.length === 0,
        `the answer does not expose ${missing.join(', ')}`,
        `access-control-expose-headers with ${EXPOSED.join(', ')}`,
        got,
      );
    },
  },
];
