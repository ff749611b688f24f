import type { LanguageModelV4Usage } from '@ai-sdk/provider';
import { v4Usage } from './internal/usage';
import type { ResponsesUsage } from './threadline-responses-api';

const count = (value: number | null | undefined) => (typeof value === 'number' ? value : undefined);

/** Maps Responses usage (input/output tokens with cached and reasoning details) to the SDK's usage. */
export function mapResponsesUsage(usage: ResponsesUsage | null | undefined): LanguageModelV4Usage {
  return v4Usage(
    {
      input: count(usage?.input_tokens),
      output: count(usage?.output_tokens),
      cached: count(usage?.input_tokens_details?.cached_tokens),
      reasoning: count(usage?.output_tokens_details?.reasoning_tokens),
    },
    usage,
  );
}
