/**
 * Validates values against components of the published API documents in ../shared/specs (read from
 * disk at test time, never copied into the project):
 * - `openresponses`: the Open Responses standard, as published;
 * - `openai`: OpenAI's document, its OpenAPI 3.0 `nullable` turned into JSON Schema null types;
 * - `responses`: Open Responses with OpenAI's `mcp_*` items and events added to its item and event
 *   unions (the standard does not define them; a Threadline server sends them).
 * A value is valid when the component accepts it; `$ref`s resolve inside the documents.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

export type SpecName = 'openresponses' | 'openai' | 'responses';

/** THREADLINE_SPECS_DIR overrides where the documents are; by default the checkout's ../shared/specs. */
export const SPECS_DIR =
  process.env.THREADLINE_SPECS_DIR ?? fileURLToPath(new URL('../../../../../shared/specs/', import.meta.url));

const FILES = { openresponses: 'openresponses-openapi.json', openai: 'openai-openapi.json' } as const;
const ID = {
  openresponses: 'https://specs.threadline.invalid/openresponses.json',
  openai: 'https://specs.threadline.invalid/openai.json',
  responses: 'https://specs.threadline.invalid/responses.json',
} as const;

type Json = Record<string, unknown>;
type Doc = Json & { components: { schemas: Record<string, Json> } };

const raw = new Map<keyof typeof FILES, Doc>();

/** The document as published (parsed once; callers get the shared copy, so do not change it). */
export function specDocument(name: keyof typeof FILES): Doc {
  let doc = raw.get(name);
  if (!doc) {
    doc = JSON.parse(readFileSync(`${SPECS_DIR}/${FILES[name]}`, 'utf8')) as Doc;
    raw.set(name, doc);
  }
  return doc;
}

const clone = <T>(value: T): T => structuredClone(value);

/** OpenAPI 3.0 `nullable: true` as JSON Schema: null joins the type (and the enum). */
function nullableToJsonSchema(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nullableToJsonSchema(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  for (const value of Object.values(schema)) nullableToJsonSchema(value);
  if (schema.nullable !== true) return;
  delete schema.nullable;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) schema.type.includes('null') || schema.type.push('null');
  else {
    const rest = { ...schema };
    for (const key of Object.keys(schema)) delete schema[key];
    schema.anyOf = [rest, { type: 'null' }];
  }
}

/**
 * Mistakes in the published documents, mended here so that a valid value can pass. A test checks
 * that each is still in the published text, so a fixed document drops its erratum.
 */
export const ERRATA = [
  {
    spec: 'openai',
    component: 'MCPApprovalResponse',
    what: "requires 'request_id', which it does not define (its id field is approval_request_id)",
  },
  {
    spec: 'openai',
    component: 'MCPApprovalResponseResource',
    what: "requires 'request_id', which it does not define (its id field is approval_request_id)",
  },
] as const;

function mendErrata(doc: Doc, spec: string): void {
  for (const erratum of ERRATA) {
    if (erratum.spec !== spec) continue;
    const schema = doc.components.schemas[erratum.component];
    if (Array.isArray(schema?.required)) {
      schema.required = schema.required.filter((field) => field !== 'request_id');
    }
  }
}

/** OpenAI's `mcp_*` items and events, as `$ref`s into its document. */
const OPENAI_MCP_ITEMS = ['MCPToolCall', 'MCPApprovalRequest'];
const OPENAI_MCP_INPUT_ITEMS = ['MCPApprovalResponse', 'MCPToolCall', 'MCPApprovalRequest'];
export const OPENAI_MCP_EVENTS = [
  'ResponseMCPCallInProgressEvent',
  'ResponseMCPCallCompletedEvent',
  'ResponseMCPCallFailedEvent',
  'ResponseMCPCallArgumentsDeltaEvent',
  'ResponseMCPCallArgumentsDoneEvent',
];
const openaiRef = (component: string) => ({ $ref: `${ID.openai}#/components/schemas/${component}` });

function withMcp(doc: Doc): Doc {
  const schemas = doc.components.schemas;
  const addTo = (component: string, refs: string[]) => {
    const union = schemas[component]?.oneOf;
    if (!Array.isArray(union)) throw new Error(`openapi: ${component} is no longer a oneOf union`);
    union.push(...refs.map(openaiRef));
  };
  addTo('ItemField', OPENAI_MCP_ITEMS);
  addTo('ItemParam', OPENAI_MCP_INPUT_ITEMS);
  schemas.ResponsesStreamEvent = { oneOf: [...streamEventRefs(doc), ...OPENAI_MCP_EVENTS.map(openaiRef)] };
  return doc;
}

/** The `text/event-stream` union of `POST /responses`, as the document gives it. */
function streamEventRefs(doc: Doc): Json[] {
  const paths = doc.paths as Json;
  const post = (paths['/responses'] as Json).post as Json;
  const ok = (post.responses as Json)['200'] as Json;
  const schema = ((ok.content as Json)['text/event-stream'] as Json).schema as Json;
  return clone(schema.oneOf as Json[]);
}

let ajv: Ajv2020 | null = null;

function validatorHost(): Ajv2020 {
  if (ajv) return ajv;
  // strict off: the documents hold OpenAPI keywords (discriminator, example, x-…) JSON Schema lacks;
  // formats off: OpenAI's `unixtime` and `uri` are descriptive here.
  const host = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const openai = clone(specDocument('openai'));
  nullableToJsonSchema(openai);
  mendErrata(openai, 'openai');
  host.addSchema({ ...openai, $id: ID.openai });
  host.addSchema({ ...clone(specDocument('openresponses')), $id: ID.openresponses });
  host.addSchema({ ...withMcp(clone(specDocument('openresponses'))), $id: ID.responses });
  ajv = host;
  return host;
}

const compiled = new Map<string, ValidateFunction>();

/** The validator of one component (`components.schemas.<name>`) of a document. */
export function specValidator(spec: SpecName, component: string): ValidateFunction {
  const key = `${spec}#${component}`;
  let validate = compiled.get(key);
  if (!validate) {
    const host = validatorHost();
    const ref = `${ID[spec]}#/components/schemas/${component}`;
    validate = host.getSchema(ref);
    if (!validate) throw new Error(`openapi: no component ${component} in ${spec}`);
    compiled.set(key, validate);
  }
  return validate;
}

const describe = (errors: ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());

/** What the component finds wrong with `value`; `[]` when it accepts it. */
export function specErrors(spec: SpecName, component: string, value: unknown): string[] {
  const validate = specValidator(spec, component);
  return validate(value) ? [] : describe(validate.errors);
}

/** Throws, naming the first problems, unless the component accepts `value`. */
export function assertSpecValid(spec: SpecName, component: string, value: unknown): void {
  const errors = specErrors(spec, component, value);
  if (errors.length > 0) {
    throw new Error(
      `${spec} ${component} refuses ${JSON.stringify(value).slice(0, 300)}:\n  ${errors.slice(0, 8).join('\n  ')}`,
    );
  }
}

const eventComponents = new Map<string, { spec: SpecName; component: string }>();

/** Which component defines a stream event `type` (Open Responses, or OpenAI's for `mcp_*`). */
export function eventComponent(type: string): { spec: SpecName; component: string } | undefined {
  if (eventComponents.size === 0) {
    const fill = (spec: SpecName, doc: Doc, names: string[]) => {
      for (const component of names) {
        const property = (doc.components.schemas[component]?.properties as Json | undefined)?.type as
          | { enum?: string[] }
          | undefined;
        for (const value of property?.enum ?? []) eventComponents.set(value, { spec, component });
      }
    };
    const or = specDocument('openresponses');
    const refs = streamEventRefs(or).map((ref) => String(ref.$ref).split('/').pop()!);
    fill('responses', or, refs);
    fill('openai', specDocument('openai'), OPENAI_MCP_EVENTS);
  }
  return eventComponents.get(type);
}

/**
 * What the specs find wrong with one stream event: checked against the component its `type` names
 * (with the `mcp_*` items allowed inside), and against the whole event union.
 */
export function streamEventErrors(event: { type: string }): string[] {
  const found = eventComponent(event.type);
  if (!found) return [`no spec defines the event type '${event.type}'`];
  const errors = specErrors(found.spec, found.component, event);
  if (errors.length > 0) return errors;
  // The union's own complaint (say, two branches matching) is all that is left to tell.
  const union = specErrors('responses', 'ResponsesStreamEvent', event);
  return union.length > 0 ? [`the event union refuses it: ${union[union.length - 1]}`] : [];
}

/** Throws unless the specs accept the stream event. */
export function assertStreamEventValid(event: { type: string }): void {
  const errors = streamEventErrors(event);
  if (errors.length > 0) {
    throw new Error(
      `the specs refuse the '${event.type}' event ${JSON.stringify(event).slice(0, 300)}:\n  ${errors.slice(0, 8).join('\n  ')}`,
    );
  }
}

/** Every `example` a document's components give, by component name. */
export function specExamples(spec: keyof typeof FILES): Array<{ component: string; example: unknown }> {
  const out: Array<{ component: string; example: unknown }> = [];
  for (const [component, schema] of Object.entries(specDocument(spec).components.schemas)) {
    if (schema.example !== undefined && typeof schema.example === 'object') {
      out.push({ component, example: clone(schema.example) });
    }
  }
  return out;
}
