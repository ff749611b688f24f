import {
  type LanguageModelV4FilePart,
  type LanguageModelV4Prompt,
  type LanguageModelV4ToolResultOutput,
  type SharedV4Warning,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { convertToBase64 } from '@ai-sdk/provider-utils';
import { approvalDecisions, isPauseId, lastAssistantIndex } from './internal/approvals';

type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'file'; file: { filename?: string; file_data?: string; file_id?: string } };

export type ThreadlineChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ApprovedPause {
  approvalId: string;
  toolName: string;
  /** The paused call's arguments as JSON text. */
  input: string;
  /** Whether the prompt holds the paused call (a caller on a thread may send only the decision). */
  inPrompt: boolean;
}

export interface ConvertedMessages {
  messages: ThreadlineChatMessage[];
  warnings: SharedV4Warning[];
  /** Pauses this call approves: their results are read from the run record. */
  approved: ApprovedPause[];
}

const stringify = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function toolOutputText(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return output.reason ?? 'the tool call was denied';
    case 'content':
      return output.value.map((part) => (part.type === 'text' ? part.text : '')).join('');
  }
}

function filePart(part: LanguageModelV4FilePart): ContentPart {
  const { data, mediaType } = part;
  if (data.type === 'text') return { type: 'text', text: data.text };
  if (data.type === 'reference') {
    const id = data.reference.threadline ?? Object.values(data.reference)[0];
    if (!id) throw new UnsupportedFunctionalityError({ functionality: 'file reference without an id' });
    return { type: 'file', file: { file_id: id } };
  }
  const url =
    data.type === 'url' ? data.url.toString() : `data:${mediaType};base64,${convertToBase64(data.data)}`;
  if (mediaType.startsWith('image/')) return { type: 'image_url', image_url: { url } };
  if (data.type === 'url') {
    throw new UnsupportedFunctionalityError({ functionality: `file URLs for ${mediaType} (send the bytes)` });
  }
  return { type: 'file', file: { ...(part.filename ? { filename: part.filename } : {}), file_data: url } };
}

/**
 * Converts the SDK prompt to Chat Completions messages the Threadline way:
 * - Approval pauses (provider-executed tool calls whose id is `<run_id>::<tool_call_id>`) are sent only
 *   when this call decides them: the pause in the last assistant message, then one `approve`/`reject`
 *   tool message per pause. Earlier, already decided pauses and the server tools' results are history
 *   the server keeps; re-sending a decision would be refused as already decided.
 * - On a thread the server holds the conversation, so only the new turn (what follows the last
 *   assistant message) and system messages are sent, with a warning naming what was left out.
 */
export function convertToThreadlineChatMessages(
  prompt: LanguageModelV4Prompt,
  options: { onThread: boolean },
): ConvertedMessages {
  const warnings: SharedV4Warning[] = [];
  const last = lastAssistantIndex(prompt);
  const decisions = approvalDecisions(prompt);
  const decided = new Set(decisions.map((d) => d.approvalId));
  const messages: ThreadlineChatMessage[] = [];
  let dropped = 0;
  let decisionsSent = false;

  prompt.forEach((message, index) => {
    const newTurn = index > last;
    if (options.onThread && !newTurn && message.role !== 'system') {
      dropped++;
      return;
    }
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: message.content });
        return;
      case 'user': {
        const parts = message.content.map((part) =>
          part.type === 'text' ? ({ type: 'text', text: part.text } as const) : filePart(part),
        );
        const onlyText = parts.every((p) => p.type === 'text');
        messages.push({
          role: 'user',
          content: onlyText ? parts.map((p) => (p as { text: string }).text).join('') : parts,
        });
        return;
      }
      case 'assistant': {
        let text = '';
        const calls: NonNullable<Extract<ThreadlineChatMessage, { role: 'assistant' }>['tool_calls']> = [];
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else if (part.type === 'tool-call') {
            // A server tool's call is history the server keeps, unless it is the pause decided now.
            if (part.providerExecuted && !(index === last && decided.has(part.toolCallId))) continue;
            calls.push({
              id: part.toolCallId,
              type: 'function',
              function: { name: part.toolName, arguments: stringify(part.input ?? {}) },
            });
          }
        }
        if (!text && calls.length === 0) return;
        messages.push({
          role: 'assistant',
          content: text || null,
          ...(calls.length ? { tool_calls: calls } : {}),
        });
        return;
      }
      case 'tool': {
        for (const part of message.content) {
          if (part.type !== 'tool-result' || isPauseId(part.toolCallId)) continue;
          messages.push({
            role: 'tool',
            tool_call_id: part.toolCallId,
            content: toolOutputText(part.output),
          });
        }
        // One tool message per pause, however many parts (approval response, execution-denied) carry it.
        if (newTurn && !decisionsSent && decisions.length > 0) {
          decisionsSent = true;
          for (const d of decisions) {
            messages.push({
              role: 'tool',
              tool_call_id: d.approvalId,
              content: d.approved ? 'approve' : 'reject',
            });
          }
        }
        return;
      }
    }
  });

  if (dropped > 0) {
    warnings.push({
      type: 'other',
      message: `threadId is set: the server holds the thread, so ${dropped} earlier message(s) were not sent`,
    });
  }
  if (decisions.some((d) => d.reason !== undefined)) {
    warnings.push({
      type: 'unsupported',
      feature: 'approval reason',
      details:
        'a chat tool message carries only approve or reject; the reason was not sent (the responses door sends it)',
    });
  }
  const calls = new Map<string, { toolName: string; input: unknown }>();
  for (const message of prompt) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) if (part.type === 'tool-call') calls.set(part.toolCallId, part);
  }
  const approved = decisions
    .filter((d) => d.approved)
    .map((d) => {
      const call = calls.get(d.approvalId);
      return {
        approvalId: d.approvalId,
        toolName: call?.toolName ?? 'unknown',
        input: stringify(call?.input ?? {}),
        inPrompt: call !== undefined,
      };
    });
  return { messages, warnings, approved };
}
