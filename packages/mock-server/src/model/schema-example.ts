/**
 * Builds a value that fits a JSON schema, deterministically, for tool-call arguments and
 * `response_format: json_schema`. Per property, first that applies: `const`; a `key=value` or
 * `key: value` hint in the user's text; an `enum` value the text mentions, else the first; `default`;
 * `examples[0]`; a sample for a string `format`; for the first free-text string, the last run of
 * capitalised words in the text (`weather in New York?` → `New York`); else the property name.
 * Numbers: `minimum` or 1 (kept under `maximum`, rounded up to `multipleOf`); booleans: true; arrays:
 * `prefixItems`, then `items` up to `minItems` (at least 1). Optional properties appear only when hinted.
 *
 * Whatever the schema says, the value is bounded (the MAX_EXAMPLE_* constants, docs/mock-server.md):
 * once a budget is spent, arrays and objects stop growing even below `minItems` or `required`.
 */
import { foldCase } from './chars';
import { isSchema, SchemaReader, type SchemaView } from './schema-view';
import { capitalisedPhrase, findHint, type HintText, hintText } from './text-scan';

export { MAX_EXAMPLE_PROPERTIES, MAX_SCHEMA_HOPS, MAX_SCHEMA_LIST } from './schema-view';

/** Items of one generated array: `minItems` is honoured up to this. */
export const MAX_EXAMPLE_ITEMS = 16;
/** Nesting levels of a generated value; deeper schemas get an empty value of their type. */
export const MAX_EXAMPLE_DEPTH = 8;
/** Values (scalars, arrays, objects) in one generated example. */
export const MAX_EXAMPLE_NODES = 1000;
/** Characters of one generated string: `minLength` is honoured up to this; longer strings are cut. */
export const MAX_EXAMPLE_STRING = 1024;
/** Approximate JSON size, in characters, of one generated example. */
export const MAX_EXAMPLE_CHARS = 64 * 1024;
/** Characters of the user's message searched for `key: value` hints and enum mentions. */
export const MAX_HINT_TEXT = 64 * 1024;
/** Searches of that text (distinct hint keys plus enum values) for one example. */
export const MAX_HINT_SEARCHES = 256;
/** Hint keys and enum values longer than this are never searched for. */
const MAX_SEARCHED_CHARS = 128;
/** Nesting of a literal (`const`, `default`, `examples`, an `enum` value, a JSON hint) that is copied. */
const MAX_LITERAL_DEPTH = 32;

const FORMAT_SAMPLES: Record<string, string> = {
  date: '2026-01-01',
  'date-time': '2026-01-01T00:00:00Z',
  time: '00:00:00',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/**
 * One text and one set of budgets, shared by every value built for a turn (all of its tool calls
 * together), so many tools cannot multiply the work or the output.
 */
class Context {
  reader: SchemaReader;
  readonly hints: HintText;
  readonly #fullText: string;
  nodes = MAX_EXAMPLE_NODES;
  chars = MAX_EXAMPLE_CHARS;
  searches = MAX_HINT_SEARCHES;
  /** The capitalised phrase is used once per value, for its first free-text string. */
  phraseUsed = false;
  /** The phrase, found once (undefined: not looked for yet; null: the text has none). */
  #phrase: string | null | undefined;
  readonly #hintCache = new Map<string, string | undefined>();
  readonly #enumCache = new Map<readonly unknown[], unknown>();
  readonly #literalSizes = new Map<object, number>();

  constructor(root: unknown, text: string) {
    this.reader = new SchemaReader(root);
    this.#fullText = text;
    this.hints = hintText(text.length > MAX_HINT_TEXT ? text.slice(0, MAX_HINT_TEXT) : text);
  }

  /** Moves on to the value of another schema: same text and budgets, the phrase usable again. */
  next(root: unknown): void {
    this.reader = new SchemaReader(root);
    this.phraseUsed = false;
  }

  get spent(): boolean {
    return this.nodes <= 0 || this.chars <= 0;
  }

  phrase(): string | undefined {
    if (this.phraseUsed) return undefined;
    this.phraseUsed = true;
    if (this.#phrase === undefined) this.#phrase = capitalisedPhrase(this.#fullText) ?? null;
    return this.#phrase ?? undefined;
  }

  hint(key: string): string | undefined {
    if (key === '' || key.length > MAX_SEARCHED_CHARS) return undefined;
    if (this.#hintCache.has(key)) return this.#hintCache.get(key);
    if (this.searches <= 0) return undefined;
    this.searches--;
    const found = findHint(key, this.hints);
    this.#hintCache.set(key, found);
    return found;
  }

  /** The first enum value the text mentions (ignoring case), else the first value. */
  enumChoice(values: readonly unknown[]): unknown {
    if (this.#enumCache.has(values)) return this.#enumCache.get(values);
    let choice = values[0];
    for (const value of values) {
      if (this.searches <= 0) break;
      if (typeof value !== 'string' || value === '' || value.length > MAX_SEARCHED_CHARS) continue;
      this.searches--;
      if (this.hints.folded.includes(foldCase(value))) {
        choice = value;
        break;
      }
    }
    this.#enumCache.set(values, choice);
    return choice;
  }

  /** The JSON size of a literal, or -1 when it is larger than `limit` or nested too deep. */
  literalSize(value: unknown, limit: number): number {
    if (typeof value !== 'object' || value === null) return scalarSize(value);
    const known = this.#literalSizes.get(value);
    if (known !== undefined) return known <= limit ? known : -1;
    const size = measure(value, limit);
    // A failed measure says only "over this limit"; later limits are never larger, so it stays -1.
    this.#literalSizes.set(value, size === -1 ? Number.POSITIVE_INFINITY : size);
    return size;
  }
}

function scalarSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return String(value).length;
  return 5;
}

/** JSON size of a value, walked without recursion; -1 once past `limit` or MAX_LITERAL_DEPTH. */
function measure(root: object, limit: number): number {
  let size = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) {
      size += scalarSize(value) + 1;
    } else {
      if (depth >= MAX_LITERAL_DEPTH) return -1;
      size += 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          stack.push([item, depth + 1]);
          if (++size > limit) return -1;
        }
      } else {
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue;
          size += key.length + 3;
          stack.push([(value as Record<string, unknown>)[key], depth + 1]);
          if (size > limit) return -1;
        }
      }
    }
    if (size > limit) return -1;
  }
  return size;
}

/** An empty value of the type: what a schema gets once depth or budget is spent. */
function emptyOf(type: string | undefined): unknown {
  switch (type) {
    case 'object':
      return {};
    case 'array':
      return [];
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

function cutString(value: string, ctx: Context): string {
  const room = Math.max(0, Math.min(MAX_EXAMPLE_STRING, ctx.chars - 2));
  const cut = value.length > room ? value.slice(0, room) : value;
  ctx.chars -= cut.length + 2;
  return cut;
}

/** A literal from the schema or the text, when it fits what is left; else an empty value of the type. */
function literal(value: unknown, view: SchemaView, ctx: Context): unknown {
  if (typeof value === 'string') return cutString(value, ctx);
  const size = ctx.literalSize(value, Math.min(ctx.chars, MAX_EXAMPLE_CHARS));
  if (size === -1) {
    ctx.chars -= 4;
    return emptyOf(view.type);
  }
  ctx.chars -= size;
  return value;
}

function coerce(raw: string, view: SchemaView, ctx: Context): unknown {
  const type = view.type;
  if (type === 'number' || type === 'integer') {
    const n = Number(raw);
    if (Number.isFinite(n)) return literal(type === 'integer' ? Math.trunc(n) : n, view, ctx);
  }
  if (type === 'boolean') {
    const word = raw.toLowerCase();
    if (word === 'true' || word === 'yes' || word === 'on' || word === '1') return true;
    if (word === 'false' || word === 'no' || word === 'off' || word === '0') return false;
  }
  if (type === 'array' || type === 'object') {
    try {
      return literal(JSON.parse(raw), view, ctx);
    } catch {
      return type === 'array' ? [cutString(raw, ctx)] : {};
    }
  }
  return cutString(raw, ctx);
}

/** A generated string, padded to `minLength` and cut to `maxLength` (both within MAX_EXAMPLE_STRING). */
function sized(text: string, view: SchemaView, ctx: Context): string {
  const { minLength, maxLength } = view.numbers;
  let out = text;
  const want = Math.min(MAX_EXAMPLE_STRING, Math.max(0, Math.ceil(minLength ?? 0)));
  if (out.length < want) out += 'x'.repeat(want - out.length);
  if (maxLength !== undefined && maxLength >= 0 && out.length > maxLength)
    out = out.slice(0, Math.floor(maxLength));
  return cutString(out, ctx);
}

function numberFor(view: SchemaView, integer: boolean): number {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = view.numbers;
  let n = minimum ?? (exclusiveMinimum !== undefined ? exclusiveMinimum + 1 : 1);
  if (maximum !== undefined && n > maximum) n = maximum;
  if (exclusiveMaximum !== undefined && n >= exclusiveMaximum) n = exclusiveMaximum - 1;
  if (multipleOf !== undefined && multipleOf > 0) {
    const stepped = Math.ceil(n / multipleOf) * multipleOf;
    if (Number.isFinite(stepped)) n = stepped;
  }
  if (integer) n = Math.ceil(n);
  return Number.isFinite(n) ? n : 0;
}

function valueFor(schema: unknown, key: string, ctx: Context, depth: number): unknown {
  if (!isSchema(schema)) return null;
  const view = ctx.reader.view(schema);
  if (ctx.spent) return emptyOf(view.type);
  ctx.nodes--;
  if (depth > MAX_EXAMPLE_DEPTH) return emptyOf(view.type);
  if (view.hasConst) return literal(view.const, view, ctx);
  const type = view.type;
  if (type === 'object') return objectFor(view, ctx, depth);
  const hint = ctx.hint(key);
  if (hint !== undefined) return coerce(hint, view, ctx);
  if (view.enum) return literal(ctx.enumChoice(view.enum), view, ctx);
  if (view.hasDefault) return literal(view.default, view, ctx);
  if (view.examples) return literal(view.examples[0], view, ctx);
  switch (type) {
    case 'string': {
      // Own names only: a `format` of `constructor` or `__proto__` has no sample.
      const format =
        view.format !== undefined && Object.hasOwn(FORMAT_SAMPLES, view.format)
          ? FORMAT_SAMPLES[view.format]
          : undefined;
      if (format !== undefined) return cutString(format, ctx);
      return sized(ctx.phrase() ?? (key || 'text'), view, ctx);
    }
    case 'integer':
    case 'number': {
      const n = numberFor(view, type === 'integer');
      ctx.chars -= scalarSize(n);
      return n;
    }
    case 'boolean':
      ctx.chars -= 4;
      return true;
    case 'null':
      ctx.chars -= 4;
      return null;
    case 'array':
      return arrayFor(view, ctx, depth);
    default:
      return cutString(key || 'value', ctx);
  }
}

function arrayFor(view: SchemaView, ctx: Context, depth: number): unknown[] {
  const { minItems, maxItems } = view.numbers;
  const prefix = view.prefixItems ?? [];
  let count = Math.max(1, Math.ceil(minItems ?? 1), prefix.length);
  // `items: false` closes the array after its prefix.
  if (view.items === false && prefix.length > 0) count = prefix.length;
  if (maxItems !== undefined && maxItems >= 0) count = Math.min(count, Math.floor(maxItems));
  count = Math.min(count, MAX_EXAMPLE_ITEMS);
  ctx.chars -= 2;
  const out: unknown[] = [];
  for (let i = 0; i < count && !ctx.spent; i++) {
    const itemSchema = i < prefix.length ? prefix[i] : isSchema(view.items) ? view.items : {};
    out.push(valueFor(itemSchema, '', ctx, depth + 1));
    ctx.chars -= 1;
  }
  return out;
}

function objectFor(view: SchemaView, ctx: Context, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  ctx.chars -= 2;
  for (const [key, schema] of view.properties) {
    if (ctx.spent) break;
    if (!view.required.has(key) && ctx.hint(key) === undefined) continue;
    ctx.chars -= key.length + 4;
    // defineProperty: a property named `__proto__` is an ordinary key here, not the prototype.
    Object.defineProperty(out, key, {
      value: valueFor(schema, key, ctx, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A value fitting `schema`, hinted by `text` (the user's last message). */
export function exampleFromSchema(schema: unknown, text: string): unknown {
  const root = schema ?? {};
  return valueFor(root, '', new Context(root, text), 0);
}

/**
 * Arguments for each of a turn's tool calls (always JSON objects), from their `parameters` schemas. The
 * budgets are shared: all the calls' arguments together stay within MAX_EXAMPLE_NODES and
 * MAX_EXAMPLE_CHARS, and the text is searched at most MAX_HINT_SEARCHES times.
 */
export function argumentsFromSchemas(
  schemas: readonly unknown[],
  text: string,
): Array<Record<string, unknown>> {
  const ctx = new Context({}, text);
  return schemas.map((schema) => {
    if (!isSchema(schema)) return {};
    ctx.next(schema);
    return objectFor(ctx.reader.view(schema), ctx, 0);
  });
}
