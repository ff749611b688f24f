import { z } from 'zod';
import { toolNamePattern } from './tools';

/**
 * Responses API input: content parts and the items a request's `input` holds. Objects are loose (a
 * client may send fields we do not know yet, as on chat); what they do carry is checked.
 */

const imageDetailSchema = z.enum(['low', 'high', 'auto']);
/** A `call_id`: the Open Responses standard holds it to 1–64 characters. */
const callIdSchema = z.string().min(1).max(64);
const itemIdSchema = z.string().min(1).nullish();

export const inputTextPartSchema = z.looseObject({ type: z.literal('input_text'), text: z.string() });

/** An image by URL (https: or a base64 data: URL) or by the id of a stored file. */
export const inputImagePartSchema = z
  .looseObject({
    type: z.literal('input_image'),
    image_url: z.string().min(1).nullish(),
    file_id: z.string().min(1).nullish(),
    detail: imageDetailSchema.nullish(),
  })
  .refine((part) => part.image_url != null || part.file_id != null, {
    message: 'an input_image part needs image_url or file_id',
  });

/** A file inline (`file_data`: base64 or a data: URL), by stored id, or by URL. */
export const inputFilePartSchema = z
  .looseObject({
    type: z.literal('input_file'),
    file_id: z.string().min(1).nullish(),
    file_data: z.string().min(1).nullish(),
    file_url: z.string().min(1).nullish(),
    filename: z.string().nullish(),
  })
  .refine((part) => part.file_data != null || part.file_id != null || part.file_url != null, {
    message: 'an input_file part needs file_data, file_id or file_url',
  });

export const urlCitationSchema = z.looseObject({
  type: z.literal('url_citation'),
  url: z.string(),
  start_index: z.number().int().nonnegative(),
  end_index: z.number().int().nonnegative(),
  title: z.string(),
});

/** Assistant text, as a response's output carries it (and as a caller replays it). */
export const outputTextPartSchema = z.looseObject({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(urlCitationSchema),
  logprobs: z.array(z.unknown()).optional(),
});

export const refusalContentPartSchema = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

export const inputContentPartSchema = z.discriminatedUnion('type', [
  inputTextPartSchema,
  inputImagePartSchema,
  inputFilePartSchema,
]);

/** `commentary` (text between tool calls) or `final_answer`. */
export const messagePhaseSchema = z.enum(['commentary', 'final_answer']);

const messageBase = {
  /** Optional: an input message may leave out `type` (the shorthand most clients send). */
  type: z.literal('message').optional(),
  id: itemIdSchema,
  status: z.string().nullish(),
};

export const userInputMessageSchema = z.looseObject({
  ...messageBase,
  role: z.literal('user'),
  content: z.union([z.string(), z.array(inputContentPartSchema)]),
});

const instructionContent = z.union([z.string(), z.array(inputTextPartSchema)]);

export const systemInputMessageSchema = z.looseObject({
  ...messageBase,
  role: z.literal('system'),
  content: instructionContent,
});

export const developerInputMessageSchema = z.looseObject({
  ...messageBase,
  role: z.literal('developer'),
  content: instructionContent,
});

/** A previous answer replayed as input: its `output_text` parts, or plain text. */
export const assistantInputMessageSchema = z.looseObject({
  ...messageBase,
  role: z.literal('assistant'),
  content: z.union([
    z.string(),
    z.array(
      z.discriminatedUnion('type', [
        // Replayed output keeps its annotations; a hand-written one may leave them out.
        outputTextPartSchema.extend({ annotations: z.array(urlCitationSchema).optional() }),
        refusalContentPartSchema,
        inputTextPartSchema,
      ]),
    ),
  ]),
  phase: messagePhaseSchema.nullish(),
});

export const inputMessageSchema = z.discriminatedUnion('role', [
  userInputMessageSchema,
  systemInputMessageSchema,
  developerInputMessageSchema,
  assistantInputMessageSchema,
]);

const callStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);

/** A function call the model made, replayed by the caller. */
export const functionCallInputSchema = z.looseObject({
  type: z.literal('function_call'),
  id: itemIdSchema,
  call_id: callIdSchema,
  name: z.string().regex(toolNamePattern, 'tool names use letters, digits, _ and -, at most 64'),
  arguments: z.string(),
  status: callStatusSchema.nullish(),
});

/** The caller's result for a `function_call`: text, or input parts. */
export const functionCallOutputInputSchema = z.looseObject({
  type: z.literal('function_call_output'),
  id: itemIdSchema,
  call_id: callIdSchema,
  output: z.union([z.string(), z.array(inputContentPartSchema)]),
  status: callStatusSchema.nullish(),
});

/** The caller's decision on an `mcp_approval_request` (its id is `<run_id>::<tool_call_id>`). */
export const mcpApprovalResponseInputSchema = z.looseObject({
  type: z.literal('mcp_approval_response'),
  id: itemIdSchema,
  approval_request_id: z.string().min(1),
  approve: z.boolean(),
  reason: z.string().nullish(),
});

/** An earlier item named by id instead of repeated. */
export const itemReferenceInputSchema = z.looseObject({
  type: z.literal('item_reference'),
  id: z.string().min(1),
});

export const summaryTextPartSchema = z.looseObject({ type: z.literal('summary_text'), text: z.string() });
export const reasoningTextPartSchema = z.looseObject({ type: z.literal('reasoning_text'), text: z.string() });

/** A reasoning item replayed from an earlier output. */
export const reasoningInputSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: itemIdSchema,
  summary: z.array(summaryTextPartSchema),
  encrypted_content: z.string().nullish(),
});

/** The item `/v1/responses/compact` returns, fed back as the start of a later input. */
export const compactionInputSchema = z.looseObject({
  type: z.literal('compaction'),
  id: itemIdSchema,
  encrypted_content: z.string().min(1),
});

const mcpItemFields = {
  id: z.string().min(1),
  server_label: z.string(),
  name: z.string(),
  arguments: z.string(),
};

export const mcpProtocolErrorSchema = z.looseObject({
  type: z.literal('mcp_protocol_error'),
  code: z.number().int(),
  message: z.string(),
});
export const mcpToolExecutionErrorSchema = z.looseObject({
  type: z.literal('mcp_tool_execution_error'),
  content: z.unknown(),
});
export const mcpHttpErrorSchema = z.looseObject({
  type: z.literal('http_error'),
  code: z.number().int(),
  message: z.string(),
});
export const mcpCallErrorSchema = z.discriminatedUnion('type', [
  mcpProtocolErrorSchema,
  mcpToolExecutionErrorSchema,
  mcpHttpErrorSchema,
]);

/** A server tool the run executed (output item; also accepted back as input when a caller replays). */
export const mcpCallItemSchema = z.looseObject({
  type: z.literal('mcp_call'),
  ...mcpItemFields,
  output: z.string().nullish(),
  error: mcpCallErrorSchema.nullish(),
  status: z.enum(['in_progress', 'calling', 'completed', 'incomplete', 'failed']).optional(),
  /** Set when the call ran because an approval allowed it. */
  approval_request_id: z.string().nullish(),
});

/** A destructive server tool waiting for a decision; `id` is the approval id. */
export const mcpApprovalRequestItemSchema = z.looseObject({
  type: z.literal('mcp_approval_request'),
  ...mcpItemFields,
});

/**
 * Every item the `input` array may hold: the kinds above, and earlier output items replayed. One union
 * on `type` (a message may leave it out), so a bad item is refused with the path of its bad field.
 */
export const inputItemSchema = z.discriminatedUnion('type', [
  inputMessageSchema,
  functionCallInputSchema,
  functionCallOutputInputSchema,
  mcpApprovalResponseInputSchema,
  itemReferenceInputSchema,
  reasoningInputSchema,
  compactionInputSchema,
  mcpCallItemSchema,
  mcpApprovalRequestItemSchema,
]);

export type InputTextPart = z.infer<typeof inputTextPartSchema>;
export type InputImagePart = z.infer<typeof inputImagePartSchema>;
export type InputFilePart = z.infer<typeof inputFilePartSchema>;
export type InputContentPart = z.infer<typeof inputContentPartSchema>;
export type OutputTextPart = z.infer<typeof outputTextPartSchema>;
export type RefusalContentPart = z.infer<typeof refusalContentPartSchema>;
export type UrlCitation = z.infer<typeof urlCitationSchema>;
export type MessagePhase = z.infer<typeof messagePhaseSchema>;
export type InputMessage = z.infer<typeof inputMessageSchema>;
export type FunctionCallInput = z.infer<typeof functionCallInputSchema>;
export type FunctionCallOutputInput = z.infer<typeof functionCallOutputInputSchema>;
export type McpApprovalResponseInput = z.infer<typeof mcpApprovalResponseInputSchema>;
export type ItemReferenceInput = z.infer<typeof itemReferenceInputSchema>;
export type ReasoningInput = z.infer<typeof reasoningInputSchema>;
export type CompactionInput = z.infer<typeof compactionInputSchema>;
export type McpCallError = z.infer<typeof mcpCallErrorSchema>;
export type McpCallItem = z.infer<typeof mcpCallItemSchema>;
export type McpApprovalRequestItem = z.infer<typeof mcpApprovalRequestItemSchema>;
export type InputItem = z.infer<typeof inputItemSchema>;
