import { z } from 'zod';
import { inputItemSchema } from './responses-input';
import { toolNamePattern } from './tools';

const int = z.number().int();
const toolName = z.string().regex(toolNamePattern, 'tool names use letters, digits, _ and -, at most 64');

/**
 * A function tool in the Responses form: flat (`name` beside `type`), unlike chat's nested `function`.
 * Only function tools are sent by callers; server tools are declared on the server.
 */
export const responsesFunctionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: toolName,
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** The flat named form: `{ type: "function", name }`. */
export const responsesNamedToolChoiceSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
});

export const responsesToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  responsesNamedToolChoiceSchema,
]);

export const textFormatTextSchema = z.looseObject({ type: z.literal('text') });
export const textFormatJsonObjectSchema = z.looseObject({ type: z.literal('json_object') });
export const textFormatJsonSchemaSchema = z.looseObject({
  type: z.literal('json_schema'),
  name: toolName,
  description: z.string().nullish(),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
});

export const textFormatSchema = z.discriminatedUnion('type', [
  textFormatTextSchema,
  textFormatJsonSchemaSchema,
  textFormatJsonObjectSchema,
]);

export const verbositySchema = z.enum(['low', 'medium', 'high']);

/** `metadata`: at most 16 pairs, keys up to 64 characters, values up to 512. */
export const responsesMetadataSchema = z
  .record(z.string().max(64, 'metadata keys are at most 64 characters'), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, { message: 'metadata holds at most 16 pairs' });

/** `input`: a string (one user message) or a list of items. */
export const responsesInputSchema = z.union([z.string(), z.array(inputItemSchema)]);

/**
 * A Responses request (`POST /v1/responses`). Unknown keys pass through, as on chat; known sampling
 * parameters are range-checked so a bad value is a 400 naming its `param`.
 */
export const responsesRequestSchema = z.looseObject({
  /** `""`, null or absent: the server's (or agent's) default model. */
  model: z.string().nullish(),
  input: responsesInputSchema.nullish(),
  /** Appended to the agent's base instructions for this turn only (not carried to the next one). */
  instructions: z.string().nullish(),
  tools: z.array(responsesFunctionToolSchema).nullish(),
  tool_choice: responsesToolChoiceSchema.nullish(),
  /** Continue the conversation of that response's thread; send only the new input. */
  previous_response_id: z.string().min(1).nullish(),
  store: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  background: z.boolean().nullish(),
  /** The standard's floor is 16. */
  max_output_tokens: int.min(16).nullish(),
  max_tool_calls: int.min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  top_logprobs: int.min(0).max(20).nullish(),
  metadata: responsesMetadataSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: textFormatSchema.nullish(), verbosity: verbositySchema.nullish() }).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  user: z.string().nullish(),
  include: z.array(z.string()).nullish(),
});

/** `POST /v1/responses/compact`: the conversation to compact; `model` is required. */
export const compactRequestSchema = z.looseObject({
  model: z.string().min(1, 'model is required'),
  input: responsesInputSchema.nullish(),
  previous_response_id: z.string().min(1).nullish(),
  instructions: z.string().nullish(),
  prompt_cache_key: z.string().max(64).nullish(),
});

export type ResponsesFunctionTool = z.infer<typeof responsesFunctionToolSchema>;
export type ResponsesNamedToolChoice = z.infer<typeof responsesNamedToolChoiceSchema>;
export type ResponsesToolChoice = z.infer<typeof responsesToolChoiceSchema>;
export type TextFormat = z.infer<typeof textFormatSchema>;
export type ResponsesInput = z.infer<typeof responsesInputSchema>;
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type CompactRequest = z.infer<typeof compactRequestSchema>;
