import { ERROR_CODES } from '@threadline/protocol';
import {
  type ChatMessage,
  type ResponseFunctionTool,
  type ResponsesRequest,
  type ResponseToolChoice,
  reportedIssue,
  responsesRequestSchema,
  type responseTextFormatSchema,
} from '@threadline/protocol/schemas';
import type { z } from 'zod';
import type { TurnRequest } from '../../engine/types';
import type { FaultSet } from '../../faults/parse';
import { HttpError } from '../../internal/errors';
import { plainResponsesRequest } from '../../internal/plain-requests';
import { validationError } from '../../internal/validation';
import { type EchoFragments, echoFragments } from './resource-json';

type ResponseTextFormat = z.infer<typeof responseTextFormatSchema>;

/** What a response echoes of its request: every field the standard requires, null where not given. */
export interface ResponseEcho {
  previousResponseId: string | null;
  instructions: string | null;
  tools: ResponseFunctionTool[];
  toolChoice: ResponseToolChoice;
  parallelToolCalls: boolean;
  textFormat: ResponseTextFormat;
  temperature: number;
  topP: number;
  presencePenalty: number;
  frequencyPenalty: number;
  topLogprobs: number;
  maxOutputTokens: number | null;
  maxToolCalls: number | null;
  store: boolean;
  metadata: Record<string, string>;
  truncation: 'auto' | 'disabled';
  safetyIdentifier: string | null;
  promptCacheKey: string | null;
  reasoning: { effort: ReasoningEffort | null; summary: ReasoningSummary | null } | null;
  /** The echoed fields as JSON text, once serialised (resource-json.ts). */
  fragments?: EchoFragments;
}

type ReasoningEffort = 'none' | 'low' | 'medium' | 'high' | 'xhigh';
type ReasoningSummary = 'concise' | 'detailed' | 'auto';
const EFFORTS: readonly string[] = ['none', 'low', 'medium', 'high', 'xhigh'];
const SUMMARIES: readonly string[] = ['concise', 'detailed', 'auto'];

/** A string field the schema lets through unchecked, echoed when it is a string of at most `max`. */
function passedString(request: ResponsesRequest, key: string, max: number): string | null {
  const value = (request as Record<string, unknown>)[key];
  return typeof value === 'string' && value.length <= max ? value : null;
}

/** `reasoning` as sent (the model does not reason, but the echo says what was asked), or null. */
function reasoningOf(request: ResponsesRequest): ResponseEcho['reasoning'] {
  const value = (request as Record<string, unknown>).reasoning;
  if (typeof value !== 'object' || value === null) return null;
  const { effort, summary } = value as { effort?: unknown; summary?: unknown };
  return {
    effort: typeof effort === 'string' && EFFORTS.includes(effort) ? (effort as ReasoningEffort) : null,
    summary:
      typeof summary === 'string' && SUMMARIES.includes(summary) ? (summary as ReasoningSummary) : null,
  };
}

/** A validated Responses request, ready to become a turn. */
export interface ParsedResponsesRequest {
  request: ResponsesRequest;
  echo: ResponseEcho;
}

const SAMPLING_KEYS = [
  'temperature',
  'top_p',
  'presence_penalty',
  'frequency_penalty',
  'top_logprobs',
  'max_output_tokens',
] as const;

/** The lenient-sampling fault: sampling values the schema refuses are dropped instead. */
function lenient(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...body };
  for (const key of SAMPLING_KEYS) {
    if (key in out && !responsesRequestSchema.shape[key].safeParse(out[key]).success) delete out[key];
  }
  return out;
}

const invalidToolChoice = (message: string) =>
  new HttpError({ status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice', message });

/**
 * Validates a Responses request with the protocol schema (a bad input item is reported at its own
 * field), then `tool_choice`'s rules as on chat: it needs a non-empty `tools` array and may only name a
 * tool in it (skipped under ignore-tool-choice).
 */
export function parseResponsesRequest(body: unknown, faults: FaultSet): ParsedResponsesRequest {
  const plain = faults.lenientSampling ? null : plainResponsesRequest(body);
  const request = plain ?? schemaParsed(body, faults);
  const noInput = request.input == null || (Array.isArray(request.input) && request.input.length === 0);
  if (noInput && request.previous_response_id == null) {
    // Nothing to answer: neither new input nor a conversation to continue.
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.missingParameter,
      param: 'input',
      message: "Missing required parameter: 'input' (or 'previous_response_id').",
    });
  }
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (choice != null && !faults.ignoreToolChoice) {
    if (tools.length === 0)
      throw invalidToolChoice('tool_choice is only allowed with a non-empty tools array.');
    if (typeof choice === 'object' && !tools.some((tool) => tool.name === choice.name)) {
      throw invalidToolChoice(`tool_choice names '${choice.name}', which is not in tools.`);
    }
  }
  const echo = echoOf(request);
  // A plain request echoes every default but `store` (and the instructions, outside the fragments).
  if (plain) echo.fragments = plainFragments(echo);
  return { request, echo };
}

/** The fragments of a plain request's echo, stored and not: built by the first of each. */
const plainEchoes = new Map<boolean, EchoFragments>();
function plainFragments(echo: ResponseEcho): EchoFragments {
  let fragments = plainEchoes.get(echo.store);
  if (fragments === undefined) {
    fragments = echoFragments(echo);
    plainEchoes.set(echo.store, fragments);
  }
  return fragments;
}

/** The request as the protocol schema validates it (the general path; see internal/plain-requests). */
function schemaParsed(body: unknown, faults: FaultSet): ResponsesRequest {
  const parsed = responsesRequestSchema.safeParse(faults.lenientSampling ? lenient(body) : body);
  if (!parsed.success) {
    const issue = reportedIssue(parsed.error.issues) ?? parsed.error.issues[0]!;
    throw validationError({ issues: [issue] } as unknown as z.ZodError, body);
  }
  return parsed.data;
}

function echoOf(request: ResponsesRequest): ResponseEcho {
  const format = request.text?.format;
  const textFormat: ResponseTextFormat =
    format?.type === 'json_schema'
      ? {
          type: 'json_schema',
          name: format.name,
          description: format.description ?? null,
          schema: null,
          strict: format.strict ?? false,
        }
      : format?.type === 'json_object'
        ? { type: 'json_object' }
        : { type: 'text' };
  return {
    previousResponseId: request.previous_response_id ?? null,
    instructions: request.instructions ?? null,
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    toolChoice: request.tool_choice ?? 'auto',
    parallelToolCalls: request.parallel_tool_calls ?? true,
    textFormat,
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    presencePenalty: request.presence_penalty ?? 0,
    frequencyPenalty: request.frequency_penalty ?? 0,
    topLogprobs: request.top_logprobs ?? 0,
    maxOutputTokens: request.max_output_tokens ?? null,
    maxToolCalls: request.max_tool_calls ?? null,
    store: request.store !== false,
    metadata: request.metadata ?? {},
    truncation: request.truncation ?? 'disabled',
    safetyIdentifier: passedString(request, 'safety_identifier', 64),
    promptCacheKey: passedString(request, 'prompt_cache_key', 64),
    reasoning: reasoningOf(request),
  };
}

/** The `include` value that asks for the output text's token log probabilities. */
export const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

/** This door's request → turn: flat tools and `tool_choice`, `max_output_tokens`, `text.format`. */
export function turnRequest(parsed: ParsedResponsesRequest, messages: ChatMessage[]): TurnRequest {
  const { request } = parsed;
  const choice = request.tool_choice;
  const format = request.text?.format;
  return {
    door: 'responses',
    model: request.model ?? '',
    stream: request.stream === true,
    messages,
    tools: (request.tools ?? []).map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(tool.description != null ? { description: tool.description } : {}),
        ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
      },
    })),
    toolChoice:
      choice == null
        ? null
        : typeof choice === 'string'
          ? choice
          : { type: 'function', function: { name: choice.name } },
    parallelToolCalls: request.parallel_tool_calls !== false,
    stop: [],
    maxTokens: request.max_output_tokens ?? null,
    responseFormat:
      format?.type === 'json_schema'
        ? { type: 'json_schema', schema: format.schema }
        : format?.type === 'json_object'
          ? { type: 'json_object' }
          : null,
    // Asked for by naming them in `include`; `top_logprobs` then says how many alternatives.
    topLogprobs: request.include?.includes(LOGPROBS_INCLUDE) ? (request.top_logprobs ?? 0) : null,
  };
}
