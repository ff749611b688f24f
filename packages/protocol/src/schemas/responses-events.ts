import { z } from 'zod';
import { summaryTextPartSchema, urlCitationSchema } from './responses-input';
import { outputContentPartSchema, outputItemSchema, responseResourceSchema } from './responses-resource';

/**
 * Responses streaming events, one schema per `type`. Every event carries `sequence_number`: 0 for the
 * first event of a stream, one more for each after it.
 */

const index = z.number().int().nonnegative();
const base = { sequence_number: index };

const lifecycle = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...base, response: responseResourceSchema });

export const responseCreatedEventSchema = lifecycle('response.created');
export const responseQueuedEventSchema = lifecycle('response.queued');
export const responseInProgressEventSchema = lifecycle('response.in_progress');
export const responseCompletedEventSchema = lifecycle('response.completed');
/** Ends a stream whose output the `max_output_tokens` limit (or another cap) cut short. */
export const responseIncompleteEventSchema = lifecycle('response.incomplete');
/** Ends a stream that failed; `response.error` says why. */
export const responseFailedEventSchema = lifecycle('response.failed');

const itemEvent = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...base, output_index: index, item: outputItemSchema });

export const outputItemAddedEventSchema = itemEvent('response.output_item.added');
export const outputItemDoneEventSchema = itemEvent('response.output_item.done');

/** Where a piece of content sits: the item's id and place in `output`, the part's place in the item. */
const contentPosition = { item_id: z.string().min(1), output_index: index, content_index: index };
const itemPosition = { item_id: z.string().min(1), output_index: index };

const partEvent = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...base, ...contentPosition, part: outputContentPartSchema });

export const contentPartAddedEventSchema = partEvent('response.content_part.added');
export const contentPartDoneEventSchema = partEvent('response.content_part.done');

export const outputTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.output_text.delta'),
  ...base,
  ...contentPosition,
  delta: z.string(),
  /** OpenAI's document requires this (`[]` when not asked for); the open standard makes it optional. */
  logprobs: z.array(z.unknown()).optional(),
  obfuscation: z.string().optional(),
});

/** `text` is the whole text of the part: the deltas before it, concatenated. */
export const outputTextDoneEventSchema = z.looseObject({
  type: z.literal('response.output_text.done'),
  ...base,
  ...contentPosition,
  text: z.string(),
  logprobs: z.array(z.unknown()).optional(),
});

export const outputTextAnnotationAddedEventSchema = z.looseObject({
  type: z.literal('response.output_text.annotation.added'),
  ...base,
  ...contentPosition,
  annotation_index: index,
  annotation: urlCitationSchema,
});

export const refusalDeltaEventSchema = z.looseObject({
  type: z.literal('response.refusal.delta'),
  ...base,
  ...contentPosition,
  delta: z.string(),
});

export const refusalDoneEventSchema = z.looseObject({
  type: z.literal('response.refusal.done'),
  ...base,
  ...contentPosition,
  refusal: z.string(),
});

export const functionCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.delta'),
  ...base,
  ...itemPosition,
  delta: z.string(),
  obfuscation: z.string().optional(),
});

export const functionCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  ...base,
  ...itemPosition,
  arguments: z.string(),
  /** The function's name: OpenAI's document requires it, the open standard does not define it. */
  name: z.string().optional(),
});

const summaryPosition = { ...itemPosition, summary_index: index };

export const reasoningSummaryPartAddedEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_part.added'),
  ...base,
  ...summaryPosition,
  part: summaryTextPartSchema,
});

export const reasoningSummaryPartDoneEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_part.done'),
  ...base,
  ...summaryPosition,
  part: summaryTextPartSchema,
});

export const reasoningSummaryTextDeltaEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_text.delta'),
  ...base,
  ...summaryPosition,
  delta: z.string(),
});

export const reasoningSummaryTextDoneEventSchema = z.looseObject({
  type: z.literal('response.reasoning_summary_text.done'),
  ...base,
  ...summaryPosition,
  text: z.string(),
});

const mcpCallEvent = <T extends string>(type: T) =>
  z.looseObject({ type: z.literal(type), ...base, ...itemPosition });

/** A server tool started; the item was added with status `in_progress`. */
export const mcpCallInProgressEventSchema = mcpCallEvent('response.mcp_call.in_progress');
export const mcpCallCompletedEventSchema = mcpCallEvent('response.mcp_call.completed');
export const mcpCallFailedEventSchema = mcpCallEvent('response.mcp_call.failed');

export const mcpCallArgumentsDeltaEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.delta'),
  ...base,
  ...itemPosition,
  delta: z.string(),
});

export const mcpCallArgumentsDoneEventSchema = z.looseObject({
  type: z.literal('response.mcp_call_arguments.done'),
  ...base,
  ...itemPosition,
  arguments: z.string(),
});

/** The open standard's error payload: every field present, `code` and `param` possibly null. */
export const streamErrorPayloadSchema = z.looseObject({
  type: z.string(),
  code: z.string().nullable(),
  message: z.string(),
  param: z.string().nullable(),
});

/**
 * A mid-stream failure. The open standard nests it under `error`; OpenAI's document puts `code`,
 * `message` and `param` beside `type`. Either is accepted; a server that sends both satisfies both.
 */
export const responseErrorEventSchema = z
  .looseObject({
    type: z.literal('error'),
    ...base,
    error: streamErrorPayloadSchema.optional(),
    code: z.string().nullish(),
    message: z.string().optional(),
    param: z.string().nullish(),
  })
  .refine((event) => event.error !== undefined || event.message !== undefined, {
    message: 'an error event carries error.message (nested) or message (flat)',
  });

export const responsesStreamEventSchema = z.discriminatedUnion('type', [
  responseCreatedEventSchema,
  responseQueuedEventSchema,
  responseInProgressEventSchema,
  responseCompletedEventSchema,
  responseIncompleteEventSchema,
  responseFailedEventSchema,
  outputItemAddedEventSchema,
  outputItemDoneEventSchema,
  contentPartAddedEventSchema,
  contentPartDoneEventSchema,
  outputTextDeltaEventSchema,
  outputTextDoneEventSchema,
  outputTextAnnotationAddedEventSchema,
  refusalDeltaEventSchema,
  refusalDoneEventSchema,
  functionCallArgumentsDeltaEventSchema,
  functionCallArgumentsDoneEventSchema,
  reasoningSummaryPartAddedEventSchema,
  reasoningSummaryPartDoneEventSchema,
  reasoningSummaryTextDeltaEventSchema,
  reasoningSummaryTextDoneEventSchema,
  mcpCallInProgressEventSchema,
  mcpCallCompletedEventSchema,
  mcpCallFailedEventSchema,
  mcpCallArgumentsDeltaEventSchema,
  mcpCallArgumentsDoneEventSchema,
  responseErrorEventSchema,
]);

export type ResponsesStreamEvent = z.infer<typeof responsesStreamEventSchema>;
export type ResponsesStreamEventType = ResponsesStreamEvent['type'];
export type ResponseLifecycleEvent = z.infer<typeof responseCompletedEventSchema>;
export type OutputItemEvent = z.infer<typeof outputItemAddedEventSchema>;
export type ContentPartEvent = z.infer<typeof contentPartAddedEventSchema>;
export type OutputTextDeltaEvent = z.infer<typeof outputTextDeltaEventSchema>;
export type OutputTextDoneEvent = z.infer<typeof outputTextDoneEventSchema>;
export type FunctionCallArgumentsDeltaEvent = z.infer<typeof functionCallArgumentsDeltaEventSchema>;
export type FunctionCallArgumentsDoneEvent = z.infer<typeof functionCallArgumentsDoneEventSchema>;
export type McpCallEvent = z.infer<typeof mcpCallInProgressEventSchema>;
export type ResponseErrorEvent = z.infer<typeof responseErrorEventSchema>;
export type StreamErrorPayload = z.infer<typeof streamErrorPayloadSchema>;
