import type {
  LanguageModelV4FilePart,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
  SharedV4Warning,
} from '@ai-sdk/provider';
import { convertToBase64 } from '@ai-sdk/provider-utils';
import { assertNoUndecidedPause, isPauseId, lastAssistantIndex } from './internal/approvals';
import type { ResponsesInputContent, ResponsesInputItem } from './threadline-responses-api';

/** The label the reference server gives its own tools; a replayed call needs one. */
export const DEFAULT_SERVER_LABEL = 'threadline';

export interface ResponsesInput {
  input: ResponsesInputItem[];
  warnings: SharedV4Warning[];
  /** The response id the prompt's last assistant message came from, when it carries one. */
  lastResponseId: string | undefined;
}

export interface ConvertOptions {
  prompt: LanguageModelV4Prompt;
  /**
   * Send only the new turn (what follows the last assistant message, plus system messages): the
   * server holds the rest, through a thread or `previous_response_id`.
   */
  newTurnOnly: boolean;
}

interface Decision {
  approved: boolean;
  reason?: string;
}

type ThreadlinePartOptions = {
  threadline?: { itemId?: unknown; responseId?: unknown; serverLabel?: unknown };
};
const partOptions = (part: { providerOptions?: unknown }) =>
  (part.providerOptions as ThreadlinePartOptions | undefined)?.threadline;
const stringOption = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * One decision per pause. A `tool-approval-response` wins; an `execution-denied` tool result on a pause
 * with no response beside it is a reject too (`generateText` writes one on its reject path, and drops a
 * hand-made response that lacks `providerExecuted`), so the wire carries exactly one item per pause.
 */
function decisionsOf(prompt: LanguageModelV4Prompt): Map<string, Decision> {
  const explicit = new Map<string, Decision>();
  const denied = new Map<string, Decision>();
  for (const message of prompt) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type === 'tool-approval-response') {
        if (isPauseId(part.approvalId) && !explicit.has(part.approvalId)) {
          explicit.set(part.approvalId, { approved: part.approved, reason: part.reason });
        }
      } else if (part.output.type === 'execution-denied' && isPauseId(part.toolCallId)) {
        denied.set(part.toolCallId, { approved: false, reason: part.output.reason });
      }
    }
  }
  for (const [id, decision] of denied) if (!explicit.has(id)) explicit.set(id, decision);
  return explicit;
}

/** A tool result as the text a `function_call_output` or an `mcp_call` output carries. */
export function toolOutputText(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return output.reason ? `Tool execution denied: ${output.reason}` : 'Tool execution denied.';
    case 'content':
      return output.value
        .map((part) => (part.type === 'text' ? part.text : ''))
        .filter((text) => text !== '')
        .join('\n');
  }
}

function userFile(part: LanguageModelV4FilePart, warnings: SharedV4Warning[]): ResponsesInputContent | null {
  const { data, mediaType } = part;
  const image = mediaType === 'image' || mediaType.startsWith('image/');
  const media = mediaType.includes('/') ? mediaType : image ? 'image/png' : 'application/octet-stream';
  switch (data.type) {
    case 'text':
      return { type: 'input_text', text: data.text };
    case 'url':
      if (image) return { type: 'input_image', image_url: data.originalUrl ?? data.url.href };
      warnings.push({
        type: 'unsupported',
        feature: 'file parts by URL',
        details: 'the Responses door reads files inline or by id; the part was not sent',
      });
      return null;
    case 'reference': {
      const fileId = stringOption((data.reference as Record<string, unknown>).threadline);
      if (!fileId) {
        warnings.push({ type: 'unsupported', feature: 'file reference without a threadline id' });
        return null;
      }
      return image ? { type: 'input_image', file_id: fileId } : { type: 'input_file', file_id: fileId };
    }
    case 'data': {
      const url = `data:${media};base64,${convertToBase64(data.data)}`;
      if (image) return { type: 'input_image', image_url: url };
      return { type: 'input_file', file_data: url, ...(part.filename ? { filename: part.filename } : {}) };
    }
  }
}

/** The earlier tool call a provider-executed result answers, for a result whose call is elsewhere. */
function callsById(prompt: LanguageModelV4Prompt) {
  const calls = new Map<string, { toolName: string; input: unknown }>();
  for (const message of prompt) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) if (part.type === 'tool-call') calls.set(part.toolCallId, part);
  }
  return calls;
}

const argumentsOf = (input: unknown) => (typeof input === 'string' ? input : JSON.stringify(input ?? {}));

/**
 * The SDK prompt as Responses `input` items: messages, client calls as `function_call` /
 * `function_call_output`, server calls as `mcp_call`, pauses as `mcp_approval_request`, decisions as
 * `mcp_approval_response`. A prompt that ends on a pause with no decision is refused (InvalidPromptError).
 */
export function convertToResponsesInput({ prompt, newTurnOnly }: ConvertOptions): ResponsesInput {
  assertNoUndecidedPause(prompt);
  const warnings: SharedV4Warning[] = [];
  const input: ResponsesInputItem[] = [];
  const decisions = decisionsOf(prompt);
  const sentDecisions = new Set<string>();
  const deferred = new Map<string, ResponsesInputItem>();
  const calls = callsById(prompt);
  const lastAssistant = lastAssistantIndex(prompt);
  let lastResponseId: string | undefined;
  let dropped = 0;

  prompt.forEach((message, index) => {
    if (message.role === 'assistant' && index === lastAssistant) {
      for (const part of message.content) lastResponseId ??= stringOption(partOptions(part)?.responseId);
    }
    if (newTurnOnly && index <= lastAssistant && message.role !== 'system') {
      dropped++;
      return;
    }
    switch (message.role) {
      case 'system':
        input.push({ role: 'system', content: message.content });
        return;
      case 'user': {
        const content: ResponsesInputContent[] = [];
        for (const part of message.content) {
          if (part.type === 'text') content.push({ type: 'input_text', text: part.text });
          else {
            const file = userFile(part, warnings);
            if (file) content.push(file);
          }
        }
        if (content.length > 0) input.push({ role: 'user', content });
        return;
      }
      case 'assistant': {
        let text: string[] = [];
        const flush = () => {
          if (text.length > 0)
            input.push({ role: 'assistant', content: [{ type: 'output_text', text: text.join('') }] });
          text = [];
        };
        const results = new Map<string, (typeof message.content)[number] & { type: 'tool-result' }>();
        for (const part of message.content)
          if (part.type === 'tool-result') results.set(part.toolCallId, part);
        const replayed = new Set<string>();
        const mcpCall = (toolCallId: string, toolName: string, args: unknown): ResponsesInputItem => {
          const result = results.get(toolCallId)!;
          const approval = isPauseId(toolCallId) ? toolCallId : undefined;
          const output = result.output;
          const failed = output.type === 'error-text' || output.type === 'error-json';
          const textOut = toolOutputText(output);
          const itemId = stringOption(partOptions(result)?.itemId);
          replayed.add(toolCallId);
          return {
            type: 'mcp_call',
            id: itemId ?? (approval ? `mcp_${toolCallId.split('::')[1]}` : toolCallId),
            server_label: stringOption(partOptions(result)?.serverLabel) ?? DEFAULT_SERVER_LABEL,
            name: toolName,
            arguments: argumentsOf(args),
            ...(failed
              ? { error: { type: 'mcp_tool_execution_error', content: [{ type: 'text', text: textOut }] } }
              : { output: textOut }),
            ...(approval ? { approval_request_id: approval } : {}),
          };
        };
        const approvalRequest = (part: {
          toolCallId: string;
          toolName: string;
          input: unknown;
          providerOptions?: unknown;
        }) =>
          input.push({
            type: 'mcp_approval_request',
            id: part.toolCallId,
            server_label: stringOption(partOptions(part)?.serverLabel) ?? DEFAULT_SERVER_LABEL,
            name: part.toolName,
            arguments: argumentsOf(part.input),
          });
        for (const part of message.content) {
          if (part.type === 'text') {
            text.push(part.text);
            continue;
          }
          if (part.type === 'reasoning' || part.type === 'reasoning-file' || part.type === 'custom') continue;
          flush();
          if (part.type === 'file') {
            warnings.push({ type: 'unsupported', feature: 'assistant file parts', details: 'not sent' });
          } else if (part.type === 'tool-call') {
            if (!part.providerExecuted) {
              input.push({
                type: 'function_call',
                call_id: part.toolCallId,
                name: part.toolName,
                arguments: argumentsOf(part.input),
              });
            } else if (
              results.has(part.toolCallId) &&
              results.get(part.toolCallId)!.output.type !== 'execution-denied'
            ) {
              const call = mcpCall(part.toolCallId, part.toolName, part.input);
              const id = part.toolCallId;
              if (isPauseId(id) && decisions.has(id) && !sentDecisions.has(id)) {
                // useChat keeps the pause and its result on one part: replay them in wire order, the
                // request here, the executed call right after its decision.
                approvalRequest(part);
                deferred.set(id, call);
              } else input.push(call);
            } else if (isPauseId(part.toolCallId)) {
              approvalRequest(part);
            }
            // A provider-executed call with no result and no pause (a stream cut mid-call) says nothing.
          } else if (part.type === 'tool-result' && !replayed.has(part.toolCallId)) {
            // A server result whose call is in an earlier message: the call resumed by an approval.
            if (part.output.type === 'execution-denied') continue;
            const call = calls.get(part.toolCallId);
            input.push(mcpCall(part.toolCallId, call?.toolName ?? part.toolName, call?.input ?? {}));
          }
        }
        flush();
        return;
      }
      case 'tool': {
        for (const part of message.content) {
          const id = part.type === 'tool-approval-response' ? part.approvalId : part.toolCallId;
          if (isPauseId(id)) {
            // The pause's one decision, where it first appears; its other traces say nothing more.
            const decision = decisions.get(id);
            if (!decision || sentDecisions.has(id)) continue;
            sentDecisions.add(id);
            input.push({
              type: 'mcp_approval_response',
              approval_request_id: id,
              approve: decision.approved,
              ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
            });
            const call = deferred.get(id);
            if (call) input.push(call);
            deferred.delete(id);
          } else if (part.type === 'tool-result') {
            input.push({
              type: 'function_call_output',
              call_id: part.toolCallId,
              output: toolOutputText(part.output),
            });
          }
          // An approval response for a client tool was `ai`'s own business: nothing goes on the wire.
        }
        return;
      }
    }
  });

  input.push(...deferred.values());
  if (dropped > 0) {
    warnings.push({
      type: 'compatibility',
      feature: 'conversation history',
      details: `${dropped} earlier message(s) not sent: the server holds them (thread or previous_response_id)`,
    });
  }
  return { input, warnings, lastResponseId };
}
