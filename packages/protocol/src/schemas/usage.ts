import { z } from 'zod';

const count = z.number().int().nonnegative();

export const completionTokensDetailsSchema = z.looseObject({
  reasoning_tokens: count.optional(),
  audio_tokens: count.optional(),
  accepted_prediction_tokens: count.optional(),
  rejected_prediction_tokens: count.optional(),
});

export const promptTokensDetailsSchema = z.looseObject({
  cached_tokens: count.optional(),
  audio_tokens: count.optional(),
});

export const usageSchema = z.looseObject({
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count,
  prompt_tokens_details: promptTokensDetailsSchema.optional(),
  completion_tokens_details: completionTokensDetailsSchema.optional(),
});

export type Usage = z.infer<typeof usageSchema>;
export type CompletionTokensDetails = z.infer<typeof completionTokensDetailsSchema>;
