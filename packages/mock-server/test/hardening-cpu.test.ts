import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countTokens,
  MAX_EXAMPLE_CHARS,
  MAX_EXAMPLE_DEPTH,
  MAX_EXAMPLE_ITEMS,
  MAX_EXAMPLE_NODES,
  MAX_EXAMPLE_STRING,
  splitTokens,
} from '../src/index';
import { extractPdfText } from '../src/ingest/pdf';
import { capitalisedPhrase, findHint, hintText, wholeWordMatches } from '../src/model/text-scan';
import { chat, inProcess, overPort, type Target, userSays } from './support/target';

/** Generous for a loaded 2-core machine; the quadratic passes this replaces took 7–50 s. */
const FAST_MS = 2000;

const jsonSchema = (schema: unknown) => ({
  type: 'json_schema',
  json_schema: { name: 'x', schema },
});

interface Completion {
  choices: Array<{
    message: {
      content: string | null;
      tool_calls?: Array<{ function: { name: string; arguments: string } }>;
    };
  }>;
}

/** Values in a JSON value (arrays, objects and scalars) and its nesting depth. */
function shape(value: unknown, depth = 0): { nodes: number; depth: number } {
  if (typeof value !== 'object' || value === null) return { nodes: 1, depth };
  let nodes = 1;
  let deepest = depth;
  for (const child of Object.values(value)) {
    const inner = shape(child, depth + 1);
    nodes += inner.nodes;
    deepest = Math.max(deepest, inner.depth);
  }
  return { nodes, depth: deepest };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

/** Asserts a bounded example: small JSON, few values, shallow. */
function expectBounded(text: string) {
  expect(text.length).toBeLessThanOrEqual(MAX_EXAMPLE_CHARS + MAX_EXAMPLE_STRING);
  const { nodes, depth } = shape(JSON.parse(text));
  expect(nodes).toBeLessThanOrEqual(MAX_EXAMPLE_NODES + 1);
  expect(depth).toBeLessThanOrEqual(MAX_EXAMPLE_DEPTH + 2);
}

describe('the example generator is bounded whatever the schema says', () => {
  let target: Target;
  beforeAll(async () => {
    target = await inProcess();
  });
  afterAll(() => target.close());

  const ask = async (schema: unknown, text = 'hi') => {
    const { value: response, ms } = await timed(() =>
      chat(target, { messages: userSays(text), response_format: jsonSchema(schema) }),
    );
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(FAST_MS);
    const content = ((await response.json()) as Completion).choices[0]!.message.content!;
    expectBounded(content);
    return JSON.parse(content) as unknown;
  };

  it('answers minItems 300,000,000 at once, with MAX_EXAMPLE_ITEMS items', async () => {
    const value = await ask({ type: 'array', minItems: 300_000_000, items: { type: 'integer' } });
    expect(value).toEqual(Array.from({ length: MAX_EXAMPLE_ITEMS }, () => 1));
  });

  it('answers nested minItems 2000 three deep within the node budget', async () => {
    const leaf = { type: 'array', minItems: 2000, items: { type: 'string' } };
    const value = (await ask({
      type: 'array',
      minItems: 2000,
      items: { type: 'array', minItems: 2000, items: leaf },
    })) as unknown[][][];
    expect(value.length).toBeGreaterThan(0);
    expect(value.length).toBeLessThanOrEqual(MAX_EXAMPLE_ITEMS);
    expect(value[0]![0]!.length).toBe(MAX_EXAMPLE_ITEMS);
  });

  it('bounds tool arguments the same way (tool_choice required and named)', async () => {
    const parameters = {
      type: 'object',
      properties: { ids: { type: 'array', minItems: 300_000_000, items: { type: 'integer' } } },
      required: ['ids'],
    };
    const tools = [{ type: 'function', function: { name: 'lookup', parameters } }];
    for (const tool_choice of ['required', { type: 'function', function: { name: 'lookup' } }]) {
      const { value: response, ms } = await timed(() =>
        chat(target, { messages: userSays('hi'), tools, tool_choice }),
      );
      expect(response.status).toBe(200);
      expect(ms).toBeLessThan(FAST_MS);
      const call = ((await response.json()) as Completion).choices[0]!.message.tool_calls![0]!;
      expectBounded(call.function.arguments);
      expect(JSON.parse(call.function.arguments)).toEqual({ ids: Array(MAX_EXAMPLE_ITEMS).fill(1) });
    }
  });

  it('shares one budget among all the tool calls of a turn', async () => {
    const parameters = {
      type: 'object',
      properties: {
        ids: { type: 'array', minItems: 1000, items: { type: 'string', minLength: 1000 } },
        ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`opt${i}`, { type: 'string' }])),
      },
      required: ['ids'],
    };
    const tools = Array.from({ length: 2000 }, (_, i) => ({
      type: 'function',
      function: { name: `t${i}`, parameters },
    }));
    const text = tools.map((tool) => tool.function.name).join(' ');
    const { value: response, ms } = await timed(() => chat(target, { messages: userSays(text), tools }));
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(FAST_MS);
    const calls = ((await response.json()) as Completion).choices[0]!.message.tool_calls!;
    expect(calls).toHaveLength(2000);
    const total = calls.reduce((n, call) => n + call.function.arguments.length, 0);
    expect(total).toBeLessThanOrEqual(MAX_EXAMPLE_CHARS + MAX_EXAMPLE_STRING + 2 * calls.length);
    expect(JSON.parse(calls[0]!.function.arguments).ids[0]).toBe(`text${'x'.repeat(996)}`);
  });

  const big = 'x'.repeat(1_000_000);
  const manyNames = Array.from({ length: 50_000 }, (_, i) => `p${i}`);
  it.each<[string, unknown]>([
    ['a $ref to the root, recursively', { type: 'object', properties: { self: { $ref: '#' } } }],
    [
      'a $ref cycle',
      {
        $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } },
        type: 'object',
        properties: { v: { $ref: '#/$defs/a' } },
      },
    ],
    ['a $ref pointer of 100,000 segments', { $ref: `#${'/a'.repeat(100_000)}` }],
    [
      'items referring to their own array',
      {
        $defs: { list: { type: 'array', minItems: 50, items: { $ref: '#/$defs/list' } } },
        $ref: '#/$defs/list',
      },
    ],
    [
      'allOf with 50,000 parts',
      { allOf: manyNames.map((name) => ({ type: 'object', properties: { [name]: { type: 'string' } } })) },
    ],
    ['anyOf of 50,000 null schemas', { anyOf: manyNames.map(() => ({ type: 'null' })) }],
    [
      'an enum of 200,000 values',
      { type: 'string', enum: Array.from({ length: 200_000 }, (_, i) => `value-${i}`) },
    ],
    ['a catastrophic pattern', { type: 'string', pattern: '^(a+)+$' }],
    ['minProperties 1e9', { type: 'object', minProperties: 1e9 }],
    [
      '50,000 required properties',
      { type: 'object', properties: Object.fromEntries(manyNames.map((n) => [n, { type: 'string' }])) },
    ],
    ['a required list of 50,000 absent names', { type: 'object', properties: {}, required: manyNames }],
    [
      'allOf parts each requiring 5,000 other names',
      {
        allOf: Array.from({ length: 64 }, (_, p) => ({
          type: 'object',
          required: Array.from({ length: 5000 }, (_, i) => `p${p}n${i}`),
        })),
      },
    ],
    ['a 1 MB const repeated by minItems', { type: 'array', minItems: 1000, items: { const: big } }],
    [
      'a large object const repeated',
      { type: 'array', minItems: 1000, items: { const: { list: manyNames } } },
    ],
    ['a 1 MB default', { type: 'string', default: big }],
    [
      'prefixItems of 100,000 schemas',
      { type: 'array', prefixItems: Array(100_000).fill({ type: 'integer' }) },
    ],
    ['maxLength 1e308 and minLength 1e9', { type: 'string', maxLength: 1e308, minLength: 1e9 }],
    ['multipleOf 1e-308', { type: 'number', minimum: 3, multipleOf: 1e-308 }],
    ['minimum 1e308 for an integer', { type: 'integer', minimum: 1e308, multipleOf: 7 }],
    ['exclusiveMinimum at the largest double', { type: 'number', exclusiveMinimum: 1.7976931348623157e308 }],
    ['a type list of 100,000 entries', { type: Array(100_000).fill('null').concat(['string']) }],
    [
      'properties named __proto__ and constructor',
      JSON.parse(
        '{"type":"object","properties":{"__proto__":{"type":"string"},"constructor":{"type":"integer"}}}',
      ),
    ],
    [
      'a schema nested 25 deep',
      JSON.parse(`${'{"type":"array","items":'.repeat(25)}{"type":"string"}${'}'.repeat(25)}`),
    ],
  ])('%s', async (_name, schema) => {
    await ask(schema);
  });

  it('cuts a long string to MAX_EXAMPLE_STRING and honours minLength up to it', async () => {
    expect(await ask({ type: 'string', default: big })).toBe('x'.repeat(MAX_EXAMPLE_STRING));
    expect(await ask({ type: 'string', minLength: 1e9 })).toHaveLength(MAX_EXAMPLE_STRING);
    expect(await ask({ type: 'string', minLength: 6 })).toBe('textxx');
  });

  it('keeps numbers finite and within their bounds', async () => {
    expect(await ask({ type: 'number', minimum: 3, multipleOf: 1e-308 })).toBe(3);
    expect(await ask({ type: 'integer', minimum: 10, multipleOf: 4 })).toBe(12);
    expect(await ask({ type: 'integer', minimum: 1e308 })).toBe(1e308);
  });

  it('follows local $refs ($defs) to build the value', async () => {
    const value = await ask(
      {
        $defs: { city: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
        type: 'object',
        properties: { home: { $ref: '#/$defs/city' } },
        required: ['home'],
      },
      'I live in Lisbon',
    );
    expect(value).toEqual({ home: { name: 'Lisbon' } });
  });

  it('refuses a hinted JSON value nested too deep, and keeps a shallow one', async () => {
    const schema = { type: 'object', properties: { data: { type: 'array' } } };
    const deep = `data: ${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(await ask(schema, deep)).toEqual({ data: [] });
    expect(await ask(schema, "data: '[[1,2],[3]]'")).toEqual({ data: [[1, 2], [3]] });
  });

  it('keeps a __proto__ property as an ordinary key', async () => {
    const schema = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"integer"}}}');
    const value = (await ask(schema)) as object;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('per-request text passes are linear', () => {
  let target: Target;
  beforeAll(async () => {
    target = await overPort();
  });
  afterAll(() => target.close());

  const timedChat = async (body: Record<string, unknown>) => {
    const { value: response, ms } = await timed(() => chat(target, body));
    expect(response.status).toBe(200);
    const json = (await response.json()) as Completion;
    return { json, ms };
  };

  it('a 200 KB message with a JSON-schema string field answers quickly', async () => {
    // Sentence after sentence of capitalised words: the scan for the last mid-sentence phrase.
    const text = `${'Hello World. Foo Bar baz. '.repeat(8000)}and then New York`;
    expect(text.length).toBeGreaterThan(200_000);
    const { json, ms } = await timedChat({
      messages: userSays(text),
      response_format: jsonSchema({ type: 'object', properties: { city: { type: 'string' } } }),
    });
    expect(JSON.parse(json.choices[0]!.message.content!)).toEqual({ city: 'New York' });
    console.log(`200 KB message + json_schema string field: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('a system message ending in 100k spaces after a non-ASCII character answers quickly', async () => {
    const { json, ms } = await timedChat({
      messages: [
        { role: 'system', content: `é${' '.repeat(100_000)}` },
        { role: 'user', content: `/instructions` },
      ],
    });
    expect(json.choices[0]!.message.content).toContain(`é${' '.repeat(1000)}`);
    console.log(`system message of 100k spaces after é: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('hint keys over long runs of spaces and repeated keys answer quickly', async () => {
    const properties = { '': { type: 'string' }, ' ': { type: 'string' }, a: { type: 'string' } };
    const text = `${'a'.repeat(50_000)}${' '.repeat(100_000)}${'a: '.repeat(30_000)}"${'a '.repeat(30_000)}`;
    const { ms } = await timedChat({
      messages: userSays(text),
      response_format: jsonSchema({ type: 'object', properties, required: [] }),
      tools: [{ type: 'function', function: { name: 'a', parameters: { type: 'object', properties } } }],
      tool_choice: 'required',
    });
    console.log(`hint keys over spaces and repeats: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('tool mentions in a 1 MB message among 2,000 tools answer quickly', async () => {
    const tools = Array.from({ length: 2000 }, (_, i) => ({
      type: 'function',
      function: { name: `get_a_${'a-'.repeat(i % 25)}${i}` },
    }));
    const text = `${'a-'.repeat(500_000)} get a 1999`;
    const { json, ms } = await timedChat({ messages: userSays(text), tools });
    expect(json.choices[0]!.message.tool_calls?.map((c) => c.function.name)).toEqual([
      tools[1999]!.function.name,
    ]);
    console.log(`tool mentions, 1 MB message, 2,000 tools: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('/health answers while a heavy chat request is on its way', async () => {
    const heavy = chat(target, {
      messages: [{ role: 'system', content: `é${' '.repeat(2_000_000)}` }, ...userSays('hi')],
    });
    const { value: health, ms } = await timed(() => target.fetch('/health'));
    expect(health.status).toBe(200);
    expect(ms).toBeLessThan(FAST_MS);
    expect((await heavy).status).toBe(200);
  });
});

describe('the text scanners grow linearly with their input', () => {
  /** The fastest of five runs, in ms: the least disturbed by other work on the machine. */
  const best = (run: () => void) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      run();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  };
  // Inputs that made the old regexes and scans quadratic; 4x the input must cost well under 16x.
  const cases: Array<[string, (n: number) => () => void]> = [
    [
      'splitTokens on spaces after é',
      (n) => {
        const text = `é${' '.repeat(n)}`;
        return () => splitTokens(text);
      },
    ],
    [
      'countTokens on mixed text',
      (n) => {
        const text = 'naïve café 🎉 '.repeat(n / 10);
        return () => countTokens(text);
      },
    ],
    [
      'capitalisedPhrase over many sentences',
      (n) => {
        const text = 'Hello World. '.repeat(n / 13);
        return () => capitalisedPhrase(text);
      },
    ],
    [
      'findHint of an empty-looking key over spaces',
      (n) => {
        const text = hintText(`${' '.repeat(n)}x`);
        return () => findHint(' ', text);
      },
    ],
    [
      'findHint with unclosed quotes after every key',
      (n) => {
        const text = hintText('k: "'.repeat(n / 4));
        return () => findHint('k', text);
      },
    ],
    [
      'wholeWordMatches of long aliases',
      (n) => {
        const text = 'a a '.repeat(n / 4);
        const phrases = Array.from({ length: 30 }, (_, i) => `${'a '.repeat(i)}b`);
        return () => wholeWordMatches(text, phrases);
      },
    ],
    [
      'PDF text with a long run of spaces',
      (n) => {
        const pdf = new TextEncoder().encode(`<< >>stream\nBT (${' '.repeat(n)}) Tj ( x) Tj ET\nendstream`);
        return () => extractPdfText(pdf, (data) => data);
      },
    ],
    [
      'PDF with many streams and no dictionaries',
      (n) => {
        const pdf = new TextEncoder().encode('stream\nBT (a) Tj ET endstream '.repeat(n / 32));
        return () => extractPdfText(pdf, (data) => data);
      },
    ],
  ];
  it.each(cases)('%s', (_name, make) => {
    const small = best(make(50_000));
    const large = best(make(200_000));
    console.log(`${_name}: ${small.toFixed(1)} ms → ${large.toFixed(1)} ms`);
    // The floor absorbs a GC pause; the quadratic versions took seconds at this size.
    expect(large).toBeLessThan(Math.max(10 * small, 200));
  });
});
