import { z } from 'zod';

// Lenient on purpose: Threadline-family servers add fields and leave optional ones out; only what the
// provider reads is checked, and unknown fields pass.

const usageSchema = z
  .object({
    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    total_tokens: z.number().nullish(),
    prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).loose().nullish(),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).loose().nullish(),
  })
  .loose();

export type ThreadlineChatUsage = z.infer<typeof usageSchema>;

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').nullish(),
  function: z.object({ name: z.string(), arguments: z.string().nullish() }),
});

export const completionSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      message: z.object({
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(toolCallSchema).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usageSchema.nullish(),
  stop_reason: z.string().nullish(),
});

export type ThreadlineCompletion = z.infer<typeof completionSchema>;

export const chunkSchema = z.object({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      delta: z
        .object({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                index: z.number(),
                id: z.string().nullish(),
                function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
              }),
            )
            .nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: usageSchema.nullish(),
  stop_reason: z.string().nullish(),
});

/** A terminal error frame: `{"error":{…}}` (nested) or `{"error":"…"}`. */
export const errorFrameSchema = z.object({ error: z.union([z.string(), z.record(z.string(), z.unknown())]) });

/** A progress event (only when the progress header was sent): read and skipped. */
export const progressSchema = z.object({ object: z.literal('chat.completion.progress') });

export const chatFrameSchema = z.union([errorFrameSchema, progressSchema, chunkSchema]);
export type ThreadlineChatFrame = z.infer<typeof chatFrameSchema>;
export type ThreadlineChatChunk = z.infer<typeof chunkSchema>;

/** The run record's tool calls, read after an approved pause to report what the server tool returned. */
export const runRecordSchema = z.object({
  id: z.string(),
  status: z.string().nullish(),
  tool_calls: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        status: z.string(),
        result: z.unknown().nullish(),
        error: z.unknown().nullish(),
      }),
    )
    .nullish(),
});

export type ThreadlineRunRecord = z.infer<typeof runRecordSchema>;
