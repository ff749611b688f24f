import { ERROR_CODES, HEADERS } from '@threadline/protocol';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from '@threadline/protocol/schemas';
import type { FaultSet } from '../faults/parse';
import { HttpError, invalidValue } from '../internal/errors';
import { plainChatRequest } from '../internal/plain-requests';
import { validationError } from '../internal/validation';
import type { InboundRequest } from '../internal/wire';

const invalidToolChoice = (message: string) =>
  new HttpError({ status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice', message });

/**
 * Validates a chat request with the protocol schema, then the rules a schema cannot say: `tool_choice`
 * needs a non-empty `tools` array and may only name a tool in it (skipped under ignore-tool-choice);
 * `top_logprobs` needs `logprobs: true`.
 */
export function parseChatRequest(body: unknown, faults: FaultSet): ChatCompletionRequest {
  const loosened = loosen(body, faults);
  // Plain text messages and nothing else to check: the schema's result without running it.
  if (loosened === body) {
    const plain = plainChatRequest(body);
    if (plain !== null) return plain;
  }
  const parsed = chatCompletionRequestSchema.safeParse(loosened);
  if (!parsed.success) throw validationError(parsed.error, body);
  const request = parsed.data;
  if (request.top_logprobs != null && request.logprobs !== true) {
    throw invalidValue('top_logprobs', 'top_logprobs is only allowed with logprobs: true.');
  }
  const choice = request.tool_choice;
  if (choice != null && !faults.ignoreToolChoice) {
    const tools = request.tools ?? [];
    if (tools.length === 0) {
      throw invalidToolChoice('tool_choice is only allowed with a non-empty tools array.');
    }
    if (typeof choice === 'object' && !tools.some((tool) => tool.function.name === choice.function.name)) {
      throw invalidToolChoice(`tool_choice names '${choice.function.name}', which is not in tools.`);
    }
  }
  return request;
}

const SAMPLING_KEYS = [
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'frequency_penalty',
  'presence_penalty',
  'stop',
  'n',
  'logprobs',
  'top_logprobs',
] as const;
const KNOWN_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the validation faults make of a body before it is validated: `lenient-sampling` drops sampling
 * values the schema refuses, `accept-unknown-role` reads unknown roles as `user`, `no-developer-role`
 * refuses `developer` like an unknown role.
 */
function loosen(body: unknown, faults: FaultSet): unknown {
  // Without these faults the body is validated as sent: no copy (the schema builds its own result).
  if (!isRecord(body) || !(faults.lenientSampling || faults.acceptUnknownRole || faults.noDeveloperRole)) {
    return body;
  }
  const out = { ...body };
  if (faults.lenientSampling) {
    for (const key of SAMPLING_KEYS) {
      if (key in out && !chatCompletionRequestSchema.shape[key].safeParse(out[key]).success) delete out[key];
    }
  }
  if ((faults.acceptUnknownRole || faults.noDeveloperRole) && Array.isArray(out.messages)) {
    out.messages = out.messages.map((message, i) => {
      if (!isRecord(message)) return message;
      if (faults.noDeveloperRole && message.role === 'developer') {
        throw invalidValue(`messages[${i}].role`, `messages[${i}].role 'developer' is not supported.`);
      }
      const known = typeof message.role === 'string' && KNOWN_ROLES.has(message.role);
      return faults.acceptUnknownRole && !known ? { ...message, role: 'user' } : message;
    });
  }
  return out;
}

export const MAX_CHUNK_DELAY_MS = 60_000;

/** The stream pacing for this request: the header if sent, else the configured delay. */
export function chunkDelay(request: InboundRequest, configured: number): number {
  const header = request.header(HEADERS.chunkDelay);
  if (header === null) return configured;
  const value = header.trim();
  if (!/^\d+$/.test(value) || Number(value) > MAX_CHUNK_DELAY_MS) {
    throw invalidValue(
      HEADERS.chunkDelay,
      `${HEADERS.chunkDelay} must be whole milliseconds from 0 to ${MAX_CHUNK_DELAY_MS}.`,
    );
  }
  return Number(value);
}
