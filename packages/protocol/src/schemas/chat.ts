import { z } from 'zod';
import { messageSchema } from './messages';
import { functionToolSchema, toolChoiceSchema } from './tools';
import { usageSchema } from './usage';

const int = z.number().int();

/**
 * A Chat Completions request. Unknown keys pass through (clients add fields we do not know yet);
 * known sampling parameters are range-checked so a bad value is a 400 naming its `param`.
 */
export const chatCompletionRequestSchema = z.looseObject({
  /** `""` or absent: the server's (or agent's) default model. */
  model: z.string().optional(),
  messages: z.array(messageSchema).min(1, 'messages must hold at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: int.min(1).nullish(),
  max_completion_tokens: int.min(1).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  stop: z.union([z.string(), z.array(z.string()).min(1).max(4)]).nullish(),
  seed: int.nullish(),
  n: z.literal(1, 'only n=1 is supported').nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: int.min(0).max(20).nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }).nullish(),
  tools: z.array(functionToolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
});

export const finishReasonSchema = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/**
 * Why a run ended, beyond what `finish_reason` can say. Sent as the extension field `stop_reason`
 * on the last chunk and on the completion; ordinary OpenAI clients ignore it.
 */
export const stopReasonSchema = z.enum([
  'end_turn',
  'max_tokens',
  'tool_calls',
  'stop_sequence',
  'awaiting_approval',
  'approval_rejected',
  'cancelled',
  'error',
]);

const topLogprobSchema = z.looseObject({
  token: z.string(),
  /** A natural log, so ≤ 0; OpenAI sends -9999 for a token outside its top 20. */
  logprob: z.number(),
  /** The token's UTF-8 bytes; null when it has no byte form. */
  bytes: z.array(int).nullable(),
});

/** One generated token with its log probability and the `top_logprobs` alternatives at its position. */
export const tokenLogprobSchema = topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema) });

/** A choice's `logprobs` (with `logprobs: true`): the content tokens, in order; `refusal` likewise. */
export const choiceLogprobsSchema = z.looseObject({
  content: z.array(tokenLogprobSchema).nullable(),
  refusal: z.array(tokenLogprobSchema).nullish(),
});

const assistantToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

export const chatCompletionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('chat.completion'),
  created: int.nonnegative(),
  model: z.string(),
  system_fingerprint: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: int.nonnegative(),
        message: z.looseObject({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          refusal: z.string().nullish(),
          tool_calls: z.array(assistantToolCallSchema).optional(),
        }),
        logprobs: choiceLogprobsSchema.nullish(),
        finish_reason: finishReasonSchema,
      }),
    )
    .min(1),
  usage: usageSchema.optional(),
  stop_reason: stopReasonSchema.optional(),
});

export const toolCallDeltaSchema = z.looseObject({
  index: int.nonnegative(),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});

export const chatCompletionChunkSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('chat.completion.chunk'),
  created: int.nonnegative(),
  model: z.string(),
  system_fingerprint: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: int.nonnegative(),
      delta: z.looseObject({
        role: z.literal('assistant').optional(),
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z.array(toolCallDeltaSchema).optional(),
      }),
      logprobs: choiceLogprobsSchema.nullish(),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: usageSchema.nullish(),
  stop_reason: stopReasonSchema.optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
export type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;
export type TokenLogprob = z.infer<typeof tokenLogprobSchema>;
export type ChoiceLogprobs = z.infer<typeof choiceLogprobsSchema>;
export type FinishReason = z.infer<typeof finishReasonSchema>;
export type StopReason = z.infer<typeof stopReasonSchema>;
