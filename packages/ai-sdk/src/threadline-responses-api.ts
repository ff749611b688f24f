import { z } from 'zod';

// What this provider reads of the Responses door's wire. Lenient on purpose: only the fields it uses
// are typed, everything else passes through, so a server that adds fields (or a sibling family that
// leaves optional ones out) still works. `@threadline/protocol/schemas` holds the strict forms.

const text = z.string().max(16 * 1024 * 1024);
const id = z.string().min(1).max(1024);

export const responsesUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});

const messageItem = z.looseObject({
  type: z.literal('message'),
  id,
  status: z.string().nullish(),
  content: z
    .array(z.looseObject({ type: z.string(), text: text.nullish(), refusal: text.nullish() }))
    .nullish(),
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  id: id.nullish(),
  call_id: id,
  name: z.string(),
  arguments: text.nullish(),
  status: z.string().nullish(),
});

const mcpCallItem = z.looseObject({
  type: z.literal('mcp_call'),
  id,
  server_label: z.string().nullish(),
  name: z.string(),
  arguments: text.nullish(),
  output: text.nullish(),
  error: z.unknown().nullish(),
  status: z.string().nullish(),
  approval_request_id: id.nullish(),
});

const approvalRequestItem = z.looseObject({
  type: z.literal('mcp_approval_request'),
  id,
  server_label: z.string().nullish(),
  name: z.string(),
  arguments: text.nullish(),
});

const KNOWN_ITEMS = ['message', 'function_call', 'mcp_call', 'mcp_approval_request'];

/** Any other item (reasoning, a future kind): kept, not interpreted. A known kind must parse as itself. */
const otherItem = z.looseObject({
  type: z.string().refine((type) => !KNOWN_ITEMS.includes(type)),
  id: z.string().nullish(),
});

export const responsesOutputItemSchema = z.union([
  messageItem,
  functionCallItem,
  mcpCallItem,
  approvalRequestItem,
  otherItem,
]);

export const responsesResourceSchema = z.looseObject({
  id,
  object: z.string().nullish(),
  created_at: z.number().nullish(),
  status: z.string().nullish(),
  model: z.string().nullish(),
  output: z.array(responsesOutputItemSchema).nullish(),
  usage: responsesUsageSchema.nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  incomplete_details: z.looseObject({ reason: z.string().nullish() }).nullish(),
  previous_response_id: z.string().nullish(),
});

/**
 * One streamed event. A single loose shape rather than a union per `type`: the model switches on
 * `type` and an event it does not know (or the progress extension, which has no `type`) is skipped.
 */
export const responsesEventSchema = z.looseObject({
  type: z.string().max(128).optional(),
  sequence_number: z.number().optional(),
  response: responsesResourceSchema.optional(),
  output_index: z.number().optional(),
  item_id: z.string().max(1024).optional(),
  item: responsesOutputItemSchema.optional(),
  content_index: z.number().optional(),
  delta: text.optional(),
  text: text.optional(),
  arguments: text.optional(),
  name: z.string().optional(),
  // The `error` event, nested (the open standard) or flat (OpenAI's document).
  error: z.unknown().optional(),
  code: z.unknown().optional(),
  message: z.unknown().optional(),
});

export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;
export type ResponsesOutputItem = z.infer<typeof responsesOutputItemSchema>;
export type ResponsesResource = z.infer<typeof responsesResourceSchema>;
export type ResponsesEvent = z.infer<typeof responsesEventSchema>;
export type McpCallOutputItem = z.infer<typeof mcpCallItem>;
export type FunctionCallOutputItem = z.infer<typeof functionCallItem>;
export type ApprovalRequestOutputItem = z.infer<typeof approvalRequestItem>;
export type MessageOutputItem = z.infer<typeof messageItem>;

/** The request body this provider sends (the fields it sets; the server's schema has the rest). */
export interface ResponsesRequestBody {
  model: string;
  input: ResponsesInputItem[];
  instructions?: string;
  previous_response_id?: string;
  stream?: boolean;
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  tools?: Array<{
    type: 'function';
    name: string;
    description?: string;
    parameters: unknown;
    strict?: boolean;
  }>;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string };
  text?: { format: Record<string, unknown> };
  user?: string;
}

export type ResponsesInputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url?: string; file_id?: string }
  | { type: 'input_file'; file_data?: string; file_id?: string; filename?: string };

export type ResponsesInputItem =
  | { role: 'user'; content: ResponsesInputContent[] }
  | { role: 'assistant'; content: Array<{ type: 'output_text'; text: string }> }
  | { role: 'system' | 'developer'; content: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'mcp_approval_request'; id: string; server_label: string; name: string; arguments: string }
  | { type: 'mcp_approval_response'; approval_request_id: string; approve: boolean; reason?: string }
  | {
      type: 'mcp_call';
      id: string;
      server_label: string;
      name: string;
      arguments: string;
      output?: string;
      error?: { type: 'mcp_tool_execution_error'; content: Array<{ type: 'text'; text: string }> };
      approval_request_id?: string;
    };
