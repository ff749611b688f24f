/** Seeded generators of hostile JSON values and chat bodies for the fuzz test. */

/** mulberry32: a small, fast PRNG; the same seed gives the same run. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** One request to send, as raw bytes, with what the fuzzer may accept for it. */
// ---------- values ----------

const ODD_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  '0',
  '-1',
  '1e400',
  'NaN',
  'true',
  '../../../etc/passwd',
  '..\\..\\windows',
  '%2e%2e%2f',
  'a\u0000b',
  '\u202e\u200b\ufeff',
  'отчёт.txt',
  '📎🧾💥',
  '\ud800',
  '\udfff\ud800',
  'line\r\nbreak: x',
  '"quoted" \\slash',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
  '${jndi:ldap://x}',
  'a:b:c',
  'key:secret/user',
  'gpt-4o',
  'text/plain',
  'image/€',
  's3://__proto__/x',
  'gs://bucket/../../x',
  'data:image/€;base64,AAAA',
  'data:,hi',
  'data:image/png;base64,!!!!',
];

export function oddString(rng: Rng): string {
  const roll = rng.int(10);
  if (roll < 5) return rng.pick(ODD_STRINGS);
  if (roll < 7) return randomText(rng, rng.int(40));
  if (roll < 8) return `${rng.pick(ODD_STRINGS)}${randomText(rng, rng.int(8))}`;
  if (roll < 9) return rng.pick(['a', 'é', ' ', '\u0000', '{', '日', '😀']).repeat(1 + rng.int(5_000));
  // A long mixed run: the kind of text that made token and sentence scans quadratic.
  return `${rng.pick(['é', 'x', '。', '.'])}${' '.repeat(rng.int(100_000))}`;
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  '.',
  '\n',
  '\t',
  '"',
  '\\',
  '/',
  'é',
  'ß',
  '日',
  '😀',
  '\u0000',
  '\u001f',
  '\ud800',
  '%',
];

export function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += rng.pick(ALPHABET);
  return out;
}

const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  2,
  0.5,
  -0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  3e9,
  -3e9,
  1e-320,
  65,
  128,
  300_000_000,
];

/** Any JSON value, nested up to `depth`. */
export function randomValue(rng: Rng, depth = 3): unknown {
  const roll = rng.int(depth > 0 ? 10 : 7);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
    case 3:
      return rng.pick(ODD_NUMBERS);
    case 4:
    case 5:
    case 6:
      return oddString(rng);
    case 7:
    case 8: {
      const length = rng.chance(0.05) ? 2_000 + rng.int(20_000) : rng.int(4);
      return Array.from({ length }, () => (length > 50 ? rng.int(10) : randomValue(rng, depth - 1)));
    }
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--)
        out[rng.pick([...ODD_STRINGS, 'type', 'role', 'content'])] = randomValue(rng, depth - 1);
      return out;
    }
  }
}

/** Arrays or objects nested `levels` deep, as JSON text (built without recursion). */
export function deepJson(levels: number, kind: 'array' | 'object' | 'mixed', rng: Rng): string {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    const array = kind === 'array' || (kind === 'mixed' && rng.chance(0.5));
    open += array ? '[' : '{"a":';
    close = (array ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

// ---------- chat bodies ----------

const b64 = (text: string) => Buffer.from(text).toString('base64');

function contentPart(rng: Rng): unknown {
  switch (rng.int(7)) {
    case 0:
      return { type: 'text', text: oddString(rng) };
    case 1:
      return {
        type: 'image_url',
        image_url: {
          url: `data:${rng.pick(['image/png', 'image/€', 'IMAGE/PNG', 'x', '', 'a/b c'])};base64,${b64('png')}`,
        },
      };
    case 2:
      return {
        type: 'file',
        file: {
          filename: oddString(rng),
          file_data: rng.chance(0.5) ? b64('file body') : `data:text/plain;base64,${b64('x')}`,
        },
      };
    case 3:
      return { type: 'file', file: { file_id: oddString(rng) } };
    case 4:
      return {
        type: 'input_audio',
        input_audio: { data: rng.pick([b64('wav'), '!!', '']), format: rng.pick(['wav', 'mp3', 'ogg']) },
      };
    case 5:
      return { type: rng.pick(ODD_STRINGS), [rng.pick(ODD_STRINGS)]: randomValue(rng, 2) };
    default:
      return randomValue(rng, 2);
  }
}

function message(rng: Rng): unknown {
  const role = rng.pick([
    'user',
    'user',
    'system',
    'developer',
    'assistant',
    'tool',
    'function',
    '__proto__',
    '',
  ]);
  const content = rng.chance(0.6)
    ? oddString(rng)
    : Array.from({ length: 1 + rng.int(3) }, () => contentPart(rng));
  const out: Record<string, unknown> = { role, content };
  if (role === 'assistant' && rng.chance(0.5)) {
    out.tool_calls = [
      {
        id: oddString(rng),
        type: 'function',
        function: { name: oddString(rng), arguments: rng.chance(0.5) ? '{' : '{}' },
      },
    ];
  }
  if (role === 'tool') out.tool_call_id = oddString(rng);
  return out;
}

/** JSON schemas, including the ones that made the example generator run away. */
function schema(rng: Rng, depth = 2): unknown {
  switch (rng.int(9)) {
    case 0:
      return {
        type: 'array',
        minItems: rng.pick([0, 5, 2_000, 300_000_000, -1, 1e308]),
        items: depth > 0 ? schema(rng, depth - 1) : { type: 'integer' },
      };
    case 1:
      return {
        type: 'string',
        minLength: rng.pick([0, 10, 1e9]),
        maxLength: rng.pick([1, 1e9]),
        pattern: rng.pick(['^(a+)+$', '[', 'x']),
      };
    case 2:
      return {
        type: 'object',
        properties: {
          [rng.pick(ODD_STRINGS)]: depth > 0 ? schema(rng, depth - 1) : { type: 'string' },
          summary: { type: 'string' },
        },
        required: [rng.pick(ODD_STRINGS)],
      };
    case 3:
      return { $ref: rng.pick(['#', '#/definitions/x', 'http://x', '#/properties/__proto__']) };
    case 4:
      return { enum: randomValue(rng, 1), const: randomValue(rng, 1) };
    case 5:
      return { anyOf: [schema(rng, depth - 1), { type: 'null' }] };
    case 6:
      // Spliced in as text by toJson: JSON.stringify itself overflows the stack at these depths.
      return `@@DEEP:${rng.pick([50, 500, 5_000])}@@`;
    case 7:
      return {
        type: rng.pick(['integer', 'number', 'boolean', 'null', 'bogus', ['string', 'null']]),
        minimum: 1e308,
        maximum: -1e308,
      };
    default:
      return randomValue(rng, 2);
  }
}

const CHAT_FIELDS: Record<string, (rng: Rng) => unknown> = {
  model: (rng) => rng.pick(['', 'threadline-mock', oddString(rng)]),
  stream: (rng) => rng.pick([true, false, 'yes', 1, null]),
  stream_options: (rng) => rng.pick([{ include_usage: true }, { include_usage: 'x' }, randomValue(rng)]),
  temperature: (rng) => rng.pick([0, 1, 2, 3, -1, 'hot', 1e308]),
  top_p: (rng) => rng.pick([0, 1, 1.5, -1, '1']),
  n: (rng) => rng.pick([1, 2, 0, -1, 1e9, 'two']),
  max_tokens: (rng) => rng.pick([1, 16, 0, -1, 1e9, 2 ** 53, '10']),
  max_completion_tokens: (rng) => rng.pick([1, 0, 1e9, null]),
  seed: (rng) => rng.pick([1, -1, 1.5, 'x', 2 ** 64]),
  stop: (rng) => rng.pick(['.', ['a', 'b'], [], Array(50).fill('x'), 5]),
  logprobs: (rng) => rng.pick([true, false, 'yes']),
  top_logprobs: (rng) => rng.pick([0, 5, 20, 21, -1]),
  presence_penalty: (rng) => rng.pick([0, 2, 3, -3]),
  frequency_penalty: (rng) => rng.pick([0, 2, 3, -3]),
  user: (rng) => oddString(rng),
  metadata: (rng) => randomValue(rng),
  parallel_tool_calls: (rng) => rng.pick([true, 'no']),
  tools: (rng) =>
    rng.chance(0.7)
      ? [
          {
            type: 'function',
            function: { name: rng.pick(['get_weather', oddString(rng)]), parameters: schema(rng) },
          },
        ]
      : randomValue(rng),
  tool_choice: (rng) =>
    rng.pick([
      'auto',
      'none',
      'required',
      'bogus',
      { type: 'function', function: { name: 'get_weather' } },
      { type: 'function' },
    ]),
  response_format: (rng) =>
    rng.pick([
      { type: 'json_object' },
      { type: 'text' },
      { type: 'bogus' },
      { type: 'json_schema', json_schema: { name: 'x', schema: schema(rng) } },
      { type: 'json_schema', json_schema: { name: oddString(rng), schema: schema(rng), strict: true } },
    ]),
};

/** JSON text of a generated value, with the deep-nesting markers expanded. */
export function toJson(value: unknown, rng: Rng): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(/"@@DEEP:(\d+)@@"/g, (_m, levels: string) => deepJson(Number(levels), 'object', rng));
}

/** A chat body: a valid one with a few fields set to hostile values. */
export function chatBody(rng: Rng): unknown {
  const body: Record<string, unknown> = {
    model: '',
    messages: Array.from({ length: 1 + rng.int(3) }, () => message(rng)),
  };
  const names = Object.keys(CHAT_FIELDS);
  for (let i = rng.int(4); i > 0; i--) {
    const name = rng.pick(names);
    body[name] = CHAT_FIELDS[name]!(rng);
  }
  if (rng.chance(0.1)) body[rng.pick(['messages', 'model', '__proto__', 'constructor'])] = randomValue(rng);
  if (rng.chance(0.05))
    body.messages = [
      { role: 'user', content: oddString(rng) },
      ...Array.from({ length: 2_000 }, () => ({ role: 'user', content: 'x' })),
    ];
  return body;
}

/** Text shapes that made per-request text passes quadratic (token regex, sentence-start scan). */
export function slowText(rng: Rng): string {
  const size = 60_000 + rng.int(90_000);
  switch (rng.int(4)) {
    case 0:
      return `${rng.pick(['é', '日', 'ß', '😀'])}${rng.pick([' ', '\t', '\u00a0', '\n']).repeat(size)}`;
    case 1:
      return 'Alpha Beta. '.repeat(size / 12);
    case 2:
      return `${'a'.repeat(size)}!`;
    default:
      return 'key=value '.repeat(size / 10);
  }
}

/** Chat bodies whose schemas ask the example generator for huge values (arrays, depth, strings). */
export function schemaBomb(rng: Rng): unknown {
  const nested = (levels: number, items: number): unknown =>
    levels === 0 ? { type: 'integer' } : { type: 'array', minItems: items, items: nested(levels - 1, items) };
  const bomb = rng.pick([
    { type: 'array', minItems: 300_000_000, items: { type: 'integer' } },
    nested(3, 2_000),
    nested(6, 100),
    { type: 'string', minLength: 1_000_000_000 },
    {
      type: 'object',
      properties: { summary: { type: 'string' }, list: nested(2, 50_000) },
      required: ['list'],
    },
    { $ref: '#', type: 'object', properties: { self: { $ref: '#' } }, required: ['self'] },
  ]);
  const user = { role: 'user', content: rng.chance(0.3) ? slowText(rng) : 'make it' };
  if (rng.chance(0.5)) {
    return {
      model: '',
      messages: [user],
      response_format: { type: 'json_schema', json_schema: { name: 'bomb', schema: bomb } },
    };
  }
  return {
    model: '',
    messages: [user],
    tools: [
      {
        type: 'function',
        function: { name: 'bomb', parameters: { type: 'object', properties: { x: bomb }, required: ['x'] } },
      },
    ],
    tool_choice: rng.pick(['required', { type: 'function', function: { name: 'bomb' } }]),
  };
}

/** A chat turn that stores a file under a hostile (but storable) name, for later downloads by id. */
export function storingChat(rng: Rng): unknown {
  const filename = rng.pick([
    'отчёт.txt',
    '📎.md',
    'a"b\\c.txt',
    'cr\r\nlf.txt',
    'notes.constructor',
    '__proto__',
    'x'.repeat(255),
  ]);
  const type = rng.pick(['text/plain', 'image/png', 'application/vnd.a+json', 'application/octet-stream']);
  const part = rng.chance(0.5)
    ? {
        type: 'file',
        file: { filename, file_data: `data:${type};base64,${b64(oddString(rng).slice(0, 100))}` },
      }
    : { type: 'image_url', image_url: { url: `data:${type};base64,${b64('image')}` } };
  return { model: '', messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, part] }] };
}

/** A Responses API body: a valid one with a few fields set to hostile values. */
export function responsesBody(rng: Rng): unknown {
  const body: Record<string, unknown> = {
    model: '',
    input: rng.chance(0.5)
      ? oddString(rng)
      : [
          {
            role: rng.pick(['user', 'system', 'assistant', 'bogus']),
            content: rng.chance(0.5)
              ? oddString(rng)
              : [
                  {
                    type: rng.pick(['input_text', 'input_image', 'input_file', 'bogus']),
                    text: oddString(rng),
                    image_url: `data:image/png;base64,${b64('x')}`,
                    file_data: b64('x'),
                    filename: oddString(rng),
                  },
                ],
          },
        ],
  };
  const fields: Record<string, () => unknown> = {
    instructions: () => (rng.chance(0.5) ? oddString(rng) : slowText(rng)),
    previous_response_id: () => rng.pick(['resp_x', '__proto__', '', oddString(rng)]),
    stream: () => rng.pick([true, false, 'yes']),
    store: () => rng.pick([true, false, 1]),
    max_output_tokens: () => rng.pick([1, 0, -1, 1e9, 'x']),
    tools: () => [
      { type: 'function', name: rng.pick(['get_weather', oddString(rng)]), parameters: schema(rng) },
    ],
    tool_choice: () => rng.pick(['auto', 'required', 'none', { type: 'function', name: 'get_weather' }, 5]),
    text: () => ({
      format: rng.pick([
        { type: 'text' },
        { type: 'json_schema', name: 'x', schema: schema(rng) },
        { type: 'bogus' },
      ]),
    }),
    input: () => randomValue(rng),
  };
  const names = Object.keys(fields);
  for (let i = rng.int(4); i > 0; i--) {
    const name = rng.pick(names);
    body[name] = fields[name]!();
  }
  return body;
}
