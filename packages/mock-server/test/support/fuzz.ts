/** Whole fuzz cases: a route, a hostile path, query, headers and body, built from the seed. */
import { encodeRequest } from './fuzz-http';
import {
  chatBody,
  deepJson,
  oddString,
  Rng,
  randomValue,
  responsesBody,
  schemaBomb,
  slowText,
  toJson,
} from './fuzz-values';

/** One request to send, as raw bytes, with what the fuzzer may accept for it. */
export interface FuzzCase {
  index: number;
  /** What kind of mutation made it (reported on failure). */
  kind: string;
  method: string;
  target: string;
  head: Buffer;
  /** The body as sent (chunk-framed when the case is chunked). */
  body: Buffer;
  /** The case's own headers and unframed body, for sending it through `fetch` in-process. */
  headers: Array<[string, string]>;
  payload: Buffer;
  /** A 5xx the request asked for (an injected `status=` fault), else null. */
  injectedStatus: number | null;
  /** A fault that bends the protocol on purpose: only liveness, time and status are checked. */
  bendsProtocol: boolean;
  /** Node answers before any route: a clientError reply (still JSON). */
  malformed: boolean;
}

/** Requests that bend the protocol on purpose; stalls and long latencies are left out (they hang by design). */
const FAULTS = [
  'status=500',
  'status=503',
  'status=429',
  'status=400',
  'status=599',
  'code=boom',
  'rate-limit=1',
  'quota',
  'latency=20',
  'drop-after=1',
  'error-frame-after=1',
  'malformed-chunk-after=0',
  'no-done',
  'wrong-content-type',
  'empty-success',
  'changing-ids',
  'bad-usage',
  'ignore-tool-choice',
  'files-any-user',
  'status=abc',
  'bogus-fault',
  'latency=999999999',
  'status=500,status=200',
  ',,,',
  'body-limit=10',
];

/** The status a fault header forces, when it is a valid 5xx one; null otherwise. */
function injected5xx(spec: string): number | null {
  const match = /^status=(5\d\d)$/.exec(spec);
  return match ? Number(match[1]) : null;
}

// ---------- whole cases ----------

/** Percent-encodes the UTF-8 bytes of `text` (a lone surrogate as U+FFFD); never throws. */
function pct(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

/** Keeps the characters a header value can hold on the wire (no CR, LF or other controls). */
function headerSafe(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code === 0x09 || (code >= 0x20 && code !== 0x7f)) out += char;
  }
  return out;
}

/** A path on the server, `:param` segments filled with hostile ids. */
export interface RouteSpec {
  method: string;
  path: string;
  control?: boolean;
}

const PATH_TRICKS = [
  '..',
  '%2e%2e',
  '%2E%2E%2F..%2F',
  '..%2f..%2fetc%2fpasswd',
  '%252e%252e',
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%FF',
  '__proto__',
  'constructor',
  'toString',
  '.',
  '%20',
  '~',
  'file-'.padEnd(3_000, 'x'),
  ';x=1',
  'run_%2F..',
  '\u00e9',
];

function fillPath(rng: Rng, path: string): string {
  return path
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? rng.chance(0.35)
          ? // An id the seeding phase stored, resolved when the case is sent (see resolveIds).
            `@@ID:${rng.int(1_000)}@@`
          : rng.chance(0.6)
            ? rng.pick(PATH_TRICKS)
            : pct(oddString(rng).slice(0, 200))
        : segment,
    )
    .join('/');
}

function trickPath(rng: Rng, path: string): string {
  switch (rng.int(8)) {
    case 0:
      return `${path}/`;
    case 1:
      return `/${path}`;
    case 2:
      return `${path}/../..${path}`;
    case 3:
      return path.replace(/\//g, '%2F');
    case 4:
      return `${path}/${'a'.repeat(8_000 + rng.int(6_000))}`;
    case 5:
      return path.toUpperCase();
    case 6:
      return `http://127.0.0.1${path}`;
    default:
      return `${path}/__proto__`;
  }
}

const QUERY_NAMES = [
  'limit',
  'id',
  'uri',
  'file_path',
  'filename',
  'tenant',
  'offset',
  '__proto__',
  'constructor',
  '',
];

function query(rng: Rng): string {
  if (rng.chance(0.5)) return '';
  const pairs: string[] = [];
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const value = rng.chance(0.6)
      ? rng.pick([
          '-1',
          '0',
          '1e400',
          'abc',
          '99999999999',
          '__proto__',
          's3://__proto__/x',
          's3://b/../x',
          'gs://b/%2e%2e/x',
          '../../etc/passwd',
          '%zz',
          '',
        ])
      : pct(oddString(rng).slice(0, 300));
    pairs.push(`${rng.pick(QUERY_NAMES)}=${value}`);
  }
  return `?${pairs.join('&')}`;
}

const HEADER_NAMES = [
  'authorization',
  'x-api-key',
  'x-session-id',
  'x-user-id',
  'x-thread-id',
  'x-smith-id',
  'x-request-id',
  'x-threadline-chunk-delay',
  'x-threadline-dialect',
  'idempotency-key',
  'content-type',
  'accept',
  'origin',
  'openai-beta',
  'x-ice-progress',
  'accept-encoding',
  'content-encoding',
];

function headerValue(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return rng.pick([
        'Bearer ',
        'Bearer x',
        'Basic Og==',
        'bearer  a b',
        'application/json',
        'text/event-stream',
        '100-continue',
        'gzip',
        'identity',
        '-1',
        '1e9',
        '60001',
        'NaN',
      ]);
    case 1:
      // latin1 bytes over 0x7f: node's parser lets them through.
      return 'caf\u00e9 \u00ff\u00fe';
    case 2:
      return 'x'.repeat(1 + rng.int(6_000));
    case 3:
      return rng.pick(['__proto__', 'constructor', 'a:b', 'k:secret/user', '../x', '']);
    default:
      return headerSafe(Buffer.from(oddString(rng).slice(0, 200)).toString('latin1'));
  }
}

/** Builds every case of a run from the seed, before any is sent: the run is the same whatever the timing. */
export function generateCases(
  seed: number,
  count: number,
  routes: readonly RouteSpec[],
  /** Credentials the server accepts: most cases carry one of them (or a near miss). */
  credentials: readonly string[] = [],
): FuzzCase[] {
  const rng = new Rng(seed);
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index++) cases.push(oneCase(rng, index, routes, credentials));
  return cases;
}

/** A body shaped for the route (a chat or Responses request with hostile fields), else any value. */
function jsonFor(rng: Rng, route: RouteSpec): unknown {
  if (route.path === '/v1/chat/completions') return chatBody(rng);
  // The compact body is a Responses body's subset (model, input, previous_response_id, instructions).
  if (route.path === '/v1/responses' || route.path === '/v1/responses/compact') return responsesBody(rng);
  return randomValue(rng);
}

function bodyFor(rng: Rng, route: RouteSpec): { body: Buffer; kind: string } {
  const roll = rng.int(20);
  if (route.path === '/v1/ingest' && roll < 6)
    return {
      body: Buffer.from(rng.pick(['plain text', '%PDF-1.4 broken', '{"a":', '\u0000\u0001'])),
      kind: 'ingest-bytes',
    };
  if (roll < 9) {
    const value = jsonFor(rng, route);
    return { body: Buffer.from(toJson(value, rng)), kind: 'json' };
  }
  if (roll < 11) {
    const text = toJson(jsonFor(rng, route), rng);
    return { body: Buffer.from(text.slice(0, rng.int(text.length + 1))), kind: 'truncated-json' };
  }
  if (roll < 12)
    return {
      body: Buffer.from(deepJson(rng.pick([100, 1_000, 5_000, 20_000, 100_000]), 'mixed', rng)),
      kind: 'deep-json',
    };
  if (roll < 13) {
    const bytes = Buffer.from(JSON.stringify({ model: '', messages: [{ role: 'user', content: 'XX' }] }));
    const at = bytes.indexOf('XX');
    bytes[at] = rng.pick([0xff, 0xc3, 0xed, 0xf8]);
    bytes[at + 1] = rng.pick([0x28, 0xa0, 0xbf, 0x00]);
    return { body: bytes, kind: 'invalid-utf8' };
  }
  if (roll < 14)
    return {
      body: Buffer.from(Array.from({ length: rng.int(512) }, () => rng.int(256))),
      kind: 'random-bytes',
    };
  if (roll < 15) return { body: Buffer.alloc(0), kind: 'empty' };
  if (roll < 16)
    return {
      body: Buffer.from(
        rng.pick(['null', '[]', '""', '1', 'true', '{}', '{"__proto__":{"admin":true}}', '\ufeff{}', ' ']),
      ),
      kind: 'scalar-json',
    };
  if (roll < 17)
    return {
      body: Buffer.from(
        JSON.stringify({
          model: '',
          messages: [
            { role: rng.pick(['system', 'developer', 'user']), content: slowText(rng) },
            { role: 'user', content: rng.chance(0.5) ? 'hi' : slowText(rng) },
          ],
        }),
      ),
      kind: 'quadratic-text',
    };
  if (roll < 18 && route.path === '/v1/chat/completions' && rng.chance(0.5)) {
    return { body: Buffer.from(JSON.stringify(schemaBomb(rng))), kind: 'schema-bomb' };
  }
  if (roll < 18) {
    const big = rng.chance(0.5) ? slowText(rng) : 'x'.repeat(200_000 + rng.int(1_000_000));
    const value =
      route.path === '/v1/chat/completions'
        ? {
            model: '',
            messages: [{ role: 'user', content: big }],
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: 'x',
                schema: { type: 'object', properties: { summary: { type: 'string' } } },
              },
            },
          }
        : { text: big };
    return { body: Buffer.from(JSON.stringify(value)), kind: 'huge-string' };
  }
  const value = jsonFor(rng, route);
  return { body: Buffer.from(toJson(value, rng)), kind: 'json' };
}

function oneCase(
  rng: Rng,
  index: number,
  routes: readonly RouteSpec[],
  credentials: readonly string[],
): FuzzCase {
  const route = rng.pick(routes);
  let method = route.method;
  if (rng.chance(0.08))
    method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'PROPFIND', 'get']);
  let target = fillPath(rng, route.path);
  if (rng.chance(0.15)) target = trickPath(rng, target);
  target += query(rng);
  const headers: Array<[string, string]> = [];
  if (credentials.length > 0 && rng.chance(0.8)) {
    const token = rng.pick(credentials);
    headers.push(['authorization', rng.chance(0.85) ? `Bearer ${token}` : `Bearer ${token.slice(0, -1)}`]);
  }
  for (let i = rng.int(4); i > 0; i--) headers.push([rng.pick(HEADER_NAMES), headerValue(rng)]);
  let injectedStatus: number | null = null;
  let bendsProtocol = false;
  if (rng.chance(0.1)) {
    const spec = rng.pick(FAULTS);
    headers.push(['x-threadline-fault', spec]);
    injectedStatus = injected5xx(spec);
    bendsProtocol = true;
  }
  if (rng.chance(0.03)) for (let i = 0; i < 150; i++) headers.push([`x-many-${i}`, 'v']);
  if (rng.chance(0.01)) headers.push(['expect', rng.pick(['100-continue', 'bogus', '200-ok'])]);
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || rng.chance(0.05);
  const { body, kind } = withBody ? bodyFor(rng, route) : { body: Buffer.alloc(0), kind: 'no-body' };
  const framing = !withBody ? 'none' : rng.chance(0.2) ? 'chunked' : 'length';
  const encoded = encodeRequest({ method, target, headers, body, kind }, framing);
  return {
    index,
    kind,
    method,
    target,
    head: encoded.head,
    body: encoded.body,
    headers,
    payload: body,
    injectedStatus,
    bendsProtocol,
    malformed: encoded.head.byteLength > 16 * 1024,
  };
}

/**
 * Fills the `@@ID:n@@` segments of a case with ids the seeding phase stored (files and runs), picked by
 * n: the same seed picks the same positions. Without ids the segment stays a plain unknown id.
 */
export function resolveIds(c: FuzzCase, ids: readonly string[]): FuzzCase {
  if (!c.target.includes('@@ID:')) return c;
  const fill = (text: string) =>
    text.replace(/@@ID:(\d+)@@/g, (_m, n: string) => ids[Number(n) % ids.length] ?? 'none');
  return { ...c, target: fill(c.target), head: Buffer.from(fill(c.head.toString('latin1')), 'latin1') };
}
