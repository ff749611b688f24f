/**
 * A JSON schema reduced to the keywords the example generator reads, with local `$ref`s followed and
 * `anyOf`/`oneOf`/`allOf` folded in. Every list a schema can make long is read only up to a cap, and each
 * schema object is reduced once (cached), so a huge or self-referencing schema costs bounded work.
 */
export type Schema = Record<string, unknown>;

export const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Entries read from `anyOf`, `oneOf`, `allOf`, `type` and `prefixItems` lists. */
export const MAX_SCHEMA_LIST = 64;
/** Properties read from one object schema (later ones are ignored, even when required). */
export const MAX_EXAMPLE_PROPERTIES = 256;
/** `$ref` and combinator hops followed from one schema before it counts as `{}`. */
export const MAX_SCHEMA_HOPS = 16;
/** Names read from one `required` list (merged `allOf` parts would otherwise join huge lists). */
export const MAX_REQUIRED_NAMES = 4 * MAX_EXAMPLE_PROPERTIES;
/** Segments of a `$ref` pointer (`#/$defs/a/…`); a longer pointer resolves to nothing. */
const MAX_POINTER_SEGMENTS = 64;

export interface SchemaView {
  /** The first non-null `type`, else `object` (with properties), `array` (with items), or undefined. */
  type: string | undefined;
  hasConst: boolean;
  const?: unknown;
  properties: ReadonlyArray<readonly [string, unknown]>;
  /** Keys that must appear; without a `required` list every property is required. */
  required: ReadonlySet<string>;
  items?: unknown;
  prefixItems?: readonly unknown[];
  enum?: readonly unknown[];
  hasDefault: boolean;
  default?: unknown;
  examples?: readonly unknown[];
  format?: string;
  numbers: Partial<Record<NumberKeyword, number>>;
}

const NUMBER_KEYWORDS = [
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
] as const;
type NumberKeyword = (typeof NUMBER_KEYWORDS)[number];

const EMPTY: SchemaView = {
  type: undefined,
  hasConst: false,
  properties: [],
  required: new Set(),
  hasDefault: false,
  numbers: {},
};

const has = (schema: Schema, key: string) => Object.hasOwn(schema, key);

function declaredType(type: unknown): string | undefined {
  if (typeof type === 'string') return type;
  if (!Array.isArray(type)) return undefined;
  const listed = type.slice(0, MAX_SCHEMA_LIST).filter((t): t is string => typeof t === 'string');
  return listed.find((t) => t !== 'null') ?? listed[0];
}

/** The keywords of one schema object, without following anything. */
function own(schema: Schema): SchemaView {
  const properties: Array<readonly [string, unknown]> = [];
  const props = schema.properties;
  if (isSchema(props)) {
    for (const key in props) {
      if (!has(props, key)) continue;
      properties.push([key, props[key]]);
      if (properties.length === MAX_EXAMPLE_PROPERTIES) break;
    }
  }
  const required = Array.isArray(schema.required)
    ? new Set(schema.required.slice(0, MAX_REQUIRED_NAMES).filter((k): k is string => typeof k === 'string'))
    : new Set(properties.map(([key]) => key));
  const numbers: SchemaView['numbers'] = {};
  for (const keyword of NUMBER_KEYWORDS) {
    const value = schema[keyword];
    if (typeof value === 'number' && Number.isFinite(value)) numbers[keyword] = value;
  }
  const view: SchemaView = {
    type: declaredType(schema.type),
    hasConst: has(schema, 'const'),
    const: schema.const,
    properties,
    required,
    hasDefault: has(schema, 'default'),
    default: schema.default,
    numbers,
  };
  if (has(schema, 'items')) view.items = schema.items;
  if (Array.isArray(schema.prefixItems)) view.prefixItems = schema.prefixItems.slice(0, MAX_SCHEMA_LIST);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) view.enum = schema.enum;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) view.examples = schema.examples;
  if (typeof schema.format === 'string') view.format = schema.format;
  return view;
}

/**
 * `over` laid on `base`: its keywords win, properties and required keys are joined (at most
 * MAX_REQUIRED_NAMES of them in all). `base` is always a view made for this reduction, never a cached one.
 */
function overlay(base: SchemaView, over: SchemaView): SchemaView {
  const required = base.required as Set<string>;
  for (const key of over.required) {
    if (required.size >= MAX_REQUIRED_NAMES) break;
    required.add(key);
  }
  const properties = new Map(base.properties);
  for (const [key, value] of over.properties) {
    if (properties.size >= MAX_EXAMPLE_PROPERTIES && !properties.has(key)) break;
    properties.set(key, value);
  }
  const view: SchemaView = {
    ...base,
    ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)),
    type: over.type ?? base.type,
    hasConst: base.hasConst || over.hasConst,
    const: over.hasConst ? over.const : base.const,
    hasDefault: base.hasDefault || over.hasDefault,
    default: over.hasDefault ? over.default : base.default,
    properties: [...properties],
    required,
    numbers: { ...base.numbers, ...over.numbers },
  };
  return view;
}

/** Reduces schemas against one root document (`$ref: "#/…"` resolves inside it). */
export class SchemaReader {
  readonly #root: unknown;
  readonly #views = new Map<unknown, SchemaView>();
  readonly #refs = new Map<string, unknown>();

  constructor(root: unknown) {
    this.#root = root;
  }

  view(schema: unknown, hops = 0): SchemaView {
    if (!isSchema(schema) || hops > MAX_SCHEMA_HOPS) return EMPTY;
    const cached = this.#views.get(schema);
    if (cached) return cached;
    // Marked first: a schema that reaches itself through $ref or a combinator reads as `{}` there.
    this.#views.set(schema, EMPTY);
    const view = this.#reduce(schema, hops);
    this.#views.set(schema, view);
    return view;
  }

  #reduce(schema: Schema, hops: number): SchemaView {
    if (typeof schema.$ref === 'string') return this.view(this.#resolve(schema.$ref), hops + 1);
    let view = own(schema);
    const variants = Array.isArray(schema.anyOf) ? schema.anyOf : schema.oneOf;
    if (Array.isArray(variants) && variants.length > 0) {
      const listed = variants.slice(0, MAX_SCHEMA_LIST);
      const usable = listed.find((v) => isSchema(v) && v.type !== 'null') ?? listed[0];
      view = overlay(view, this.view(usable, hops + 1));
    }
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf.slice(0, MAX_SCHEMA_LIST))
        view = overlay(view, this.view(part, hops + 1));
    }
    if (view.type === undefined) {
      if (view.properties.length > 0) view = { ...view, type: 'object' };
      else if (view.items !== undefined || view.prefixItems) view = { ...view, type: 'array' };
    }
    return view;
  }

  /** A local JSON pointer (`#`, `#/$defs/x`); anything else resolves to nothing. */
  #resolve(ref: string): unknown {
    if (this.#refs.has(ref)) return this.#refs.get(ref);
    let target: unknown;
    if (ref === '#') target = this.#root;
    else if (ref.startsWith('#/')) {
      const segments = ref.slice(2).split('/', MAX_POINTER_SEGMENTS + 1);
      if (segments.length <= MAX_POINTER_SEGMENTS) {
        target = this.#root;
        for (const raw of segments) {
          const segment = decodeSegment(raw);
          if (
            segment === null ||
            typeof target !== 'object' ||
            target === null ||
            !has(target as Schema, segment)
          ) {
            target = undefined;
            break;
          }
          target = (target as Schema)[segment];
        }
      }
    }
    this.#refs.set(ref, target);
    return target;
  }
}

function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
  } catch {
    return null;
  }
}
