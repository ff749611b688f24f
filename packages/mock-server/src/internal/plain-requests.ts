import type { ChatCompletionRequest, ResponsesRequest } from '@threadline/protocol/schemas';

/**
 * Fast paths for the most common request bodies: a chat request of plain text messages, a Responses
 * request whose input is one string. For exactly these shapes the protocol schema checks only types, so
 * the result is built here, equal to what the schema would give (same keys, same order), without running
 * the general validator and the objects it allocates on every request. Anything else returns null and
 * goes through the schema as before.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const nullishString = (value: unknown): boolean => value == null || typeof value === 'string';
const nullishBoolean = (value: unknown): boolean => value == null || typeof value === 'boolean';

const CHAT_KEYS = new Set(['model', 'messages', 'stream']);
const MESSAGE_KEYS = new Set(['role', 'content', 'name']);
const TEXT_ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** Every own key of `value` is in `allowed` (and there is at least one). */
function keysWithin(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key) || !allowed.has(key)) return false;
    count++;
  }
  return count > 0;
}

/** `{ role, content: string, name? }` for a role whose text may be a plain string, or null. */
function plainMessage(value: unknown): Record<string, unknown> | null {
  if (!isRecord(value) || !keysWithin(value, MESSAGE_KEYS)) return null;
  const { role, content, name } = value;
  if (typeof role !== 'string' || !TEXT_ROLES.has(role) || typeof content !== 'string') return null;
  if (!optionalString(name)) return null;
  return name === undefined ? { role, content } : { role, content, name };
}

/**
 * A chat body of `model` (optional string), `messages` (one or more system, developer, user or
 * assistant messages with string content and an optional name) and `stream` (boolean or null), as the
 * schema parses it; null for any other body.
 */
export function plainChatRequest(body: unknown): ChatCompletionRequest | null {
  if (!isRecord(body) || !keysWithin(body, CHAT_KEYS)) return null;
  const { model, messages, stream } = body;
  if (!optionalString(model) || !nullishBoolean(stream)) return null;
  if (!Array.isArray(messages) || messages.length === 0) return null;
  const parsed: Array<Record<string, unknown>> = new Array(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const message = plainMessage(messages[i]);
    if (message === null) return null;
    parsed[i] = message;
  }
  const out: Record<string, unknown> = {};
  if ('model' in body) out.model = model;
  out.messages = parsed;
  if ('stream' in body) out.stream = stream;
  return out as ChatCompletionRequest;
}

const RESPONSES_KEYS = new Set(['model', 'input', 'instructions', 'store', 'stream']);
/** The schema's order for these keys. */
const RESPONSES_ORDER = ['model', 'input', 'instructions', 'store', 'stream'] as const;

/**
 * A Responses body of `input` as one string with `model` and `instructions` (string or null) and
 * `store` and `stream` (boolean or null), as the schema parses it; null for any other body.
 */
export function plainResponsesRequest(body: unknown): ResponsesRequest | null {
  if (!isRecord(body) || !keysWithin(body, RESPONSES_KEYS)) return null;
  if (typeof body.input !== 'string' || !nullishString(body.model) || !nullishString(body.instructions)) {
    return null;
  }
  if (!nullishBoolean(body.store) || !nullishBoolean(body.stream)) return null;
  const out: Record<string, unknown> = {};
  for (const key of RESPONSES_ORDER) if (key in body) out[key] = body[key];
  return out as ResponsesRequest;
}
