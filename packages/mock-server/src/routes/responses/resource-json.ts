import { quotedText } from '../../model/tokens';
import type { ResponseEcho } from './request';
import type { OutputItem, ResourceState } from './resource';

/**
 * The parts of a resource's JSON that come from its request alone, as JSON text: `middle` runs from
 * `tools` to `reasoning`, `tail` from `max_output_tokens` to the end. Serialised once per echo (and, for
 * the plain requests most traffic is, once per process) instead of once per resource.
 */
export interface EchoFragments {
  middle: string;
  tail: string;
}

/** The fields between the braces of `JSON.stringify(fields)` (never empty here: every key is set). */
const inner = (fields: Record<string, unknown>) => JSON.stringify(fields).slice(1, -1);

/** The echoed fields from `tools` to `reasoning`, in the resource's key order. */
export const echoMiddle = (echo: ResponseEcho) => ({
  tools: echo.tools,
  tool_choice: echo.toolChoice,
  truncation: echo.truncation,
  parallel_tool_calls: echo.parallelToolCalls,
  text: { format: echo.textFormat },
  top_p: echo.topP,
  presence_penalty: echo.presencePenalty,
  frequency_penalty: echo.frequencyPenalty,
  top_logprobs: echo.topLogprobs,
  temperature: echo.temperature,
  reasoning: echo.reasoning,
});

/** The echoed fields from `max_output_tokens` to the end, in the resource's key order. */
export const echoTail = (echo: ResponseEcho) => ({
  max_output_tokens: echo.maxOutputTokens,
  max_tool_calls: echo.maxToolCalls,
  store: echo.store,
  background: false,
  service_tier: 'default',
  metadata: echo.metadata,
  safety_identifier: echo.safetyIdentifier,
  prompt_cache_key: echo.promptCacheKey,
});

export const echoFragments = (echo: ResponseEcho): EchoFragments => ({
  middle: inner(echoMiddle(echo)),
  tail: inner(echoTail(echo)),
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * `JSON.stringify(responseResource(echo, at))`, byte for byte (resource-json.test.ts holds them
 * together): the per-response fields serialised, the echoed ones taken from `echo.fragments`.
 */
export function resourceJson(echo: ResponseEcho, at: ResourceState): string {
  echo.fragments ??= echoFragments(echo);
  const { middle, tail } = echo.fragments;
  const usage = at.reply?.usage;
  const done = at.status !== 'in_progress' && at.status !== 'queued';
  const usageJson =
    done && usage
      ? `{"input_tokens":${usage.prompt_tokens},"output_tokens":${usage.completion_tokens},"total_tokens":${usage.total_tokens},"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}`
      : 'null';
  const incomplete = at.status === 'incomplete' ? '{"reason":"max_output_tokens"}' : 'null';
  return `{"id":${JSON.stringify(at.id)},"object":"response","created_at":${at.createdAt},"completed_at":${done ? nowSeconds() : 'null'},"status":"${at.status}","incomplete_details":${incomplete},"model":${JSON.stringify(at.model)},"previous_response_id":${JSON.stringify(echo.previousResponseId)},"instructions":${JSON.stringify(echo.instructions)},"output":${outputJson(at.output)},"error":${JSON.stringify(at.error)},${middle},"usage":${usageJson},${tail}}`;
}

/**
 * `JSON.stringify(items)`, byte for byte: a message whose text parts carry no annotations or logprobs
 * (nearly every answer) is written out by hand, as walking it generically costs twice as much; any other
 * item is serialised as it is.
 */
export function outputJson(items: readonly OutputItem[]): string {
  let json = '[';
  for (let i = 0; i < items.length; i++) json += (i === 0 ? '' : ',') + itemJson(items[i]!);
  return `${json}]`;
}

/** `JSON.stringify(item)`, byte for byte (see outputJson). */
export function itemJson(item: OutputItem): string {
  if (item.type !== 'message') return JSON.stringify(item);
  let parts = '';
  for (let i = 0; i < item.content.length; i++) {
    const part = item.content[i]!;
    if (part.annotations.length > 0 || part.logprobs.length > 0) return JSON.stringify(item);
    parts += (i === 0 ? '' : ',') + partJson(part);
  }
  return `{"type":"message","id":${JSON.stringify(item.id)},"status":"${item.status}","role":"assistant","content":[${parts}]}`;
}

type TextPart = Extract<OutputItem, { type: 'message' }>['content'][number];

/** `JSON.stringify(part)`, byte for byte: by hand for plain text, as it is otherwise. */
export function partJson(part: TextPart): string {
  if (part.annotations.length > 0 || part.logprobs.length > 0) return JSON.stringify(part);
  return `{"type":"output_text","text":${quotedText(part.text)},"annotations":[],"logprobs":[]}`;
}
