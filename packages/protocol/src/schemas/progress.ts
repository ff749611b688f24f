import { z } from 'zod';

/**
 * A completion progress event (`event: progress`), sent only to callers that enable the dialect's
 * progress header. `fraction` runs from 0 to 1 and never decreases within one stream.
 */
export const progressEventSchema = z.looseObject({
  object: z.literal('chat.completion.progress'),
  id: z.string(),
  stage: z.enum(['queued', 'retrieving', 'generating', 'tool', 'done']),
  fraction: z.number().min(0).max(1),
  message: z.string().optional(),
});

export type ProgressEvent = z.infer<typeof progressEventSchema>;

/**
 * The same progress object on a `/v1/responses` stream (`event: progress`, asked for by the same
 * header): named `response.progress`, its `id` the response id. An extension outside the Open
 * Responses event set: it has no `type` and no `sequence_number`.
 */
export const responseProgressEventSchema = progressEventSchema.extend({
  object: z.literal('response.progress'),
});

export type ResponseProgressEvent = z.infer<typeof responseProgressEventSchema>;
