import type { LanguageModelV4FinishReason } from '@ai-sdk/provider';

export interface ResponsesEnding {
  /** The final resource's `status`; undefined when no terminal event arrived. */
  status: string | null | undefined;
  /** `incomplete_details.reason`, for an `incomplete` response. */
  incompleteReason?: string | null;
  /** Whether the output asks the caller for something: a client function call or an approval pause. */
  hasToolCalls: boolean;
}

/**
 * A response's status as the SDK's finish reason. The Responses API has no per-choice finish reason:
 * `completed` is a stop unless the output ends on calls the caller must answer, `incomplete` says why,
 * and a stream that ended with no terminal event at all is `interrupted` (the output may be cut short).
 */
export function mapResponsesFinishReason(ending: ResponsesEnding): LanguageModelV4FinishReason {
  const { status, incompleteReason, hasToolCalls } = ending;
  const raw = incompleteReason ?? status ?? undefined;
  switch (status) {
    case 'completed':
      return { unified: hasToolCalls ? 'tool-calls' : 'stop', raw };
    case 'incomplete':
      if (incompleteReason === 'max_output_tokens') return { unified: 'length', raw };
      if (incompleteReason === 'content_filter') return { unified: 'content-filter', raw };
      return { unified: 'other', raw };
    case 'failed':
      return { unified: 'error', raw };
    case undefined:
    case null:
      return { unified: 'interrupted', raw };
    default:
      return { unified: 'other', raw };
  }
}
