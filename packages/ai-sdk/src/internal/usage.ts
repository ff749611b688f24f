import type { JSONObject, LanguageModelV4Usage } from '@ai-sdk/provider';

/** Token counts both doors report, under either door's field names. */
export interface TokenCounts {
  input: number | undefined;
  output: number | undefined;
  cached: number | undefined;
  reasoning: number | undefined;
}

/**
 * V4 usage from a door's counts: cached input tokens are the cache reads (the rest is `noCache`), and
 * reasoning tokens are part of the output total (the rest is text). No usage → every count undefined.
 */
export function v4Usage(counts: TokenCounts, raw: object | null | undefined): LanguageModelV4Usage {
  const { input, output, cached, reasoning } = counts;
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
    ...(raw ? { raw: raw as JSONObject } : {}),
  };
}
