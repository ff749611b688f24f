import type { LanguageModelV4Usage } from '@ai-sdk/provider';
import { v4Usage } from './internal/usage';
import type { ThreadlineChatUsage } from './threadline-chat-api';

/** Maps Chat Completions usage (with cached and reasoning token details) to the SDK's usage. */
export function mapThreadlineUsage(usage: ThreadlineChatUsage | null | undefined): LanguageModelV4Usage {
  return v4Usage(
    {
      input: usage?.prompt_tokens ?? undefined,
      output: usage?.completion_tokens ?? undefined,
      cached: usage?.prompt_tokens_details?.cached_tokens ?? undefined,
      reasoning: usage?.completion_tokens_details?.reasoning_tokens ?? undefined,
    },
    usage,
  );
}
