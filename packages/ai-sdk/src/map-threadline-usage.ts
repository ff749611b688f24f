import type { JSONObject, LanguageModelV4Usage } from '@ai-sdk/provider';
import type { ThreadlineChatUsage } from './threadline-chat-api';

/** Maps Chat Completions usage (with cached and reasoning token details) to the SDK's usage. */
export function mapThreadlineUsage(usage: ThreadlineChatUsage | null | undefined): LanguageModelV4Usage {
  const input = usage?.prompt_tokens ?? undefined;
  const output = usage?.completion_tokens ?? undefined;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? undefined;
  const reasoning = usage?.completion_tokens_details?.reasoning_tokens ?? undefined;
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
