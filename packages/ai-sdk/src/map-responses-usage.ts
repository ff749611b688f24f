import type { JSONObject, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { ResponsesUsage } from './threadline-responses-api';

const count = (value: number | null | undefined) => (typeof value === 'number' ? value : undefined);

/**
 * Responses usage as V4 usage: cached input tokens are the cache reads (the rest is `noCache`),
 * reasoning tokens are part of the output total (the rest is text). No usage → every count undefined.
 */
export function mapResponsesUsage(usage: ResponsesUsage | null | undefined): LanguageModelV4Usage {
  const input = count(usage?.input_tokens);
  const output = count(usage?.output_tokens);
  const cached = count(usage?.input_tokens_details?.cached_tokens);
  const reasoning = count(usage?.output_tokens_details?.reasoning_tokens);
  return {
    inputTokens: {
      total: input,
      noCache: input === undefined ? undefined : input - (cached ?? 0),
      cacheRead: cached,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: output,
      text: output === undefined ? undefined : output - (reasoning ?? 0),
      reasoning,
    },
    ...(usage ? { raw: usage as JSONObject } : {}),
  };
}
