/**
 * Builds a value that fits a JSON schema, deterministically, for tool-call arguments and
 * `response_format: json_schema`. Per property, first that applies: `const`; a `key=value` or
 * `key: value` hint in the user's text; an `enum` value the text mentions, else the first; `default`;
 * `examples[0]`; a sample for a string `format`; for the first free-text string, the last run of
 * capitalised words in the text (`weather in New York?` → `New York`); else the property name.
 * Numbers: `minimum` or 1; booleans: true; arrays: `minItems` (at least 1) items. Optional properties
 * appear only when hinted.
 */
type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const FORMAT_SAMPLES: Record<string, string> = {
  date: '2026-01-01',
  'date-time': '2026-01-01T00:00:00Z',
  time: '00:00:00',
  email: 'user@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
};

interface Context {
  text: string;
  /** The capitalised phrase is used once, for the first free-text string. */
  phraseUsed: boolean;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `key=value`, `key: value`, quoted or up to `,` `;` or a line end. */
function hintFor(key: string, text: string): string | undefined {
  const match = new RegExp(
    `(?:^|[^\\p{L}\\p{N}_])${escapeRegex(key)}\\s*[:=]\\s*(?:"([^"]*)"|'([^']*)'|([^,;\\n]+))`,
    'iu',
  ).exec(text);
  if (!match) return undefined;
  return (match[1] ?? match[2] ?? match[3] ?? '').trim();
}

/** The last run of capitalised words that does not open the text. */
function capitalisedPhrase(text: string): string | undefined {
  const phrases = [...text.matchAll(/\p{Lu}[\p{L}\p{N}'-]*(?:\s+\p{Lu}[\p{L}\p{N}'-]*)*/gu)].filter(
    (m) => m.index !== 0 && !/[.!?]\s*$/.test(text.slice(0, m.index)),
  );
  return phrases.length ? phrases[phrases.length - 1]![0] : undefined;
}

function firstType(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? type[0];
  if (typeof type === 'string') return type;
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function coerce(raw: string, type: string | undefined): unknown {
  if (type === 'number' || type === 'integer') {
    const n = Number(raw);
    if (Number.isFinite(n)) return type === 'integer' ? Math.trunc(n) : n;
  }
  if (type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
  }
  if (type === 'array' || type === 'object') {
    try {
      return JSON.parse(raw);
    } catch {
      return type === 'array' ? [raw] : {};
    }
  }
  return raw;
}

function valueFor(schema: unknown, key: string, ctx: Context, depth: number): unknown {
  if (!isSchema(schema) || depth > 8) return null;
  if ('const' in schema) return schema.const;
  const variants = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as unknown;
  if (Array.isArray(variants) && variants.length > 0) {
    const usable = variants.find((v) => isSchema(v) && v.type !== 'null') ?? variants[0];
    return valueFor(
      { ...schema, anyOf: undefined, oneOf: undefined, allOf: undefined, ...usable },
      key,
      ctx,
      depth + 1,
    );
  }
  const type = firstType(schema);
  if (type === 'object') return objectFor(schema, ctx, depth);
  const hint = key ? hintFor(key, ctx.text) : undefined;
  if (hint !== undefined) return coerce(hint, type);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const lower = ctx.text.toLowerCase();
    return (
      schema.enum.find((v) => typeof v === 'string' && v && lower.includes(v.toLowerCase())) ?? schema.enum[0]
    );
  }
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  switch (type) {
    case 'string': {
      const format = typeof schema.format === 'string' ? FORMAT_SAMPLES[schema.format] : undefined;
      if (format) return format;
      if (!ctx.phraseUsed) {
        ctx.phraseUsed = true;
        const phrase = capitalisedPhrase(ctx.text);
        if (phrase) return phrase;
      }
      return key || 'text';
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
      const exclusive = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined;
      let n = min ?? exclusive ?? 1;
      if (typeof schema.maximum === 'number' && n > schema.maximum) n = schema.maximum;
      return type === 'integer' ? Math.ceil(n) : n;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      return Array.from({ length: count }, () => valueFor(schema.items ?? {}, '', ctx, depth + 1));
    }
    default:
      return key || 'value';
  }
}

function objectFor(schema: Schema, ctx: Context, depth: number): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const keys = Object.keys(properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (required.has(key) || hintFor(key, ctx.text) !== undefined) {
      out[key] = valueFor(properties[key], key, ctx, depth + 1);
    }
  }
  return out;
}

/** A value fitting `schema`, hinted by `text` (the user's last message). */
export function exampleFromSchema(schema: unknown, text: string): unknown {
  return valueFor(schema ?? {}, '', { text, phraseUsed: false }, 0);
}

/** Tool arguments: always a JSON object. */
export function argumentsFromSchema(schema: unknown, text: string): Record<string, unknown> {
  const value = isSchema(schema) ? objectFor(schema, { text, phraseUsed: false }, 0) : {};
  return value;
}
