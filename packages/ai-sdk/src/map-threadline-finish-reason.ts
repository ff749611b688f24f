import type { LanguageModelV4FinishReason } from '@ai-sdk/provider';

type Unified = LanguageModelV4FinishReason['unified'];

const BY_FINISH: Record<string, Unified> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

// Threadline's `stop_reason` extension says what `finish_reason` cannot: a cancelled or failed run.
const BY_STOP: Record<string, Unified> = {
  cancelled: 'other',
  error: 'error',
};

/**
 * Maps the wire's `finish_reason` (and Threadline's `stop_reason`) to the SDK's. `undefined` for both
 * means the stream ended without saying why: `interrupted`.
 */
export function mapThreadlineFinishReason(
  finishReason: string | null | undefined,
  stopReason?: string | null,
): LanguageModelV4FinishReason {
  const raw = finishReason ?? undefined;
  const refined = stopReason ? BY_STOP[stopReason] : undefined;
  if (refined) return { unified: refined, raw: raw ?? stopReason ?? undefined };
  if (raw === undefined) return { unified: 'interrupted', raw: stopReason ?? undefined };
  return { unified: BY_FINISH[raw] ?? 'other', raw };
}
