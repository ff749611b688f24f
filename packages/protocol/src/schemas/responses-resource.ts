import { z } from 'zod';
import {
  inputContentPartSchema,
  mcpApprovalRequestItemSchema,
  mcpCallItemSchema,
  messagePhaseSchema,
  outputTextPartSchema,
  reasoningTextPartSchema,
  refusalContentPartSchema,
  summaryTextPartSchema,
} from './responses-input';
import { textFormatJsonObjectSchema, textFormatTextSchema, verbositySchema } from './responses-request';

const int = z.number().int();
const count = int.nonnegative();

/** The status of a message, function call or reasoning item. */
export const itemStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);

export const outputContentPartSchema = z.discriminatedUnion('type', [
  outputTextPartSchema,
  refusalContentPartSchema,
]);

/** The assistant's text: `output_text` parts, each with its `annotations` (`[]` when none). */
export const outputMessageItemSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string().min(1),
  status: itemStatusSchema,
  role: z.literal('assistant'),
  content: z.array(outputContentPartSchema),
  phase: messagePhaseSchema.optional(),
});

/** A client tool the model wants called; the caller answers with a `function_call_output` item. */
export const functionCallItemSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().min(1),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: itemStatusSchema,
});

export const reasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().min(1),
  summary: z.array(summaryTextPartSchema),
  content: z.array(reasoningTextPartSchema).optional(),
  encrypted_content: z.string().optional(),
  status: itemStatusSchema.optional(),
});

/** Every item a response's `output` (and a stream's `output_item` events) may carry. */
export const outputItemSchema = z.discriminatedUnion('type', [
  outputMessageItemSchema,
  functionCallItemSchema,
  reasoningItemSchema,
  mcpCallItemSchema,
  mcpApprovalRequestItemSchema,
]);

/** A function tool as a response echoes it: every field present, null when not given. */
export const responseFunctionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  strict: z.boolean().nullable(),
});

export const responseToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'none', 'required']),
    tools: z.array(z.looseObject({ type: z.literal('function'), name: z.string() })),
  }),
]);

/**
 * `text.format` as a response echoes it. The standard's json_schema echo carries `name`, `description`
 * (nullable), `schema` and `strict`.
 */
export const responseTextFormatSchema = z.discriminatedUnion('type', [
  textFormatTextSchema,
  textFormatJsonObjectSchema,
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string(),
    description: z.string().nullable(),
    schema: z.unknown(),
    strict: z.boolean(),
  }),
]);

export const responsesUsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  total_tokens: count,
  input_tokens_details: z.looseObject({ cached_tokens: count }),
  output_tokens_details: z.looseObject({ reasoning_tokens: count }),
});

export const responseStatusSchema = z.enum([
  'queued',
  'in_progress',
  'completed',
  'incomplete',
  'failed',
  'cancelled',
]);

/** Why a response is `incomplete`: `max_output_tokens` when the token limit cut it. */
export const incompleteDetailsSchema = z.looseObject({ reason: z.string().min(1) });

export const responseErrorSchema = z.looseObject({ code: z.string(), message: z.string() });

/**
 * The response object (JSON answer, and the `response` of lifecycle events). Every field the Open
 * Responses standard requires is required here; the nullable ones are present as null.
 */
export const responseResourceSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('response'),
  created_at: count,
  completed_at: count.nullable(),
  status: responseStatusSchema,
  incomplete_details: incompleteDetailsSchema.nullable(),
  model: z.string(),
  previous_response_id: z.string().nullable(),
  instructions: z.string().nullable(),
  output: z.array(outputItemSchema),
  error: responseErrorSchema.nullable(),
  tools: z.array(responseFunctionToolSchema),
  tool_choice: responseToolChoiceSchema,
  truncation: z.enum(['auto', 'disabled']),
  parallel_tool_calls: z.boolean(),
  text: z.looseObject({ format: responseTextFormatSchema, verbosity: verbositySchema.optional() }),
  top_p: z.number(),
  presence_penalty: z.number(),
  frequency_penalty: z.number(),
  top_logprobs: count,
  temperature: z.number(),
  reasoning: z
    .looseObject({
      effort: z.enum(['none', 'low', 'medium', 'high', 'xhigh']).nullable(),
      summary: z.enum(['concise', 'detailed', 'auto']).nullable(),
    })
    .nullable(),
  usage: responsesUsageSchema.nullable(),
  max_output_tokens: count.nullable(),
  max_tool_calls: count.nullable(),
  store: z.boolean(),
  background: z.boolean(),
  service_tier: z.string(),
  metadata: z.record(z.string(), z.string()),
  safety_identifier: z.string().nullable(),
  prompt_cache_key: z.string().nullable(),
});

/** The opaque compacted conversation; the server that issued it reads it back as input. */
export const compactionItemSchema = z.looseObject({
  type: z.literal('compaction'),
  id: z.string().min(1),
  encrypted_content: z.string().min(1),
  created_by: z.string().optional(),
});

/** A message kept verbatim in a compacted conversation (any role, input or output parts). */
export const compactedMessageItemSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string().min(1),
  status: itemStatusSchema,
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.array(
    z.discriminatedUnion('type', [
      ...inputContentPartSchema.options,
      outputTextPartSchema,
      refusalContentPartSchema,
    ]),
  ),
});

/** `POST /v1/responses/compact` answers with this: the kept items, then one `compaction` item. */
export const compactResourceSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('response.compaction'),
  created_at: count,
  output: z.array(
    z.discriminatedUnion('type', [
      compactedMessageItemSchema,
      functionCallItemSchema,
      reasoningItemSchema,
      compactionItemSchema,
    ]),
  ),
  usage: responsesUsageSchema,
});

export type ItemStatus = z.infer<typeof itemStatusSchema>;
export type OutputContentPart = z.infer<typeof outputContentPartSchema>;
export type OutputMessageItem = z.infer<typeof outputMessageItemSchema>;
export type FunctionCallItem = z.infer<typeof functionCallItemSchema>;
export type ReasoningItem = z.infer<typeof reasoningItemSchema>;
export type OutputItem = z.infer<typeof outputItemSchema>;
export type ResponseFunctionTool = z.infer<typeof responseFunctionToolSchema>;
export type ResponseToolChoice = z.infer<typeof responseToolChoiceSchema>;
export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;
export type ResponseStatus = z.infer<typeof responseStatusSchema>;
export type IncompleteDetails = z.infer<typeof incompleteDetailsSchema>;
export type ResponseError = z.infer<typeof responseErrorSchema>;
export type ResponseResource = z.infer<typeof responseResourceSchema>;
export type CompactionItem = z.infer<typeof compactionItemSchema>;
export type CompactResource = z.infer<typeof compactResourceSchema>;
