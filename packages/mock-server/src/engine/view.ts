import type { FixtureView } from '../model/fixtures';
import type { ConversationMessage, ToolResult, Turn } from './types';

/** The last user message, or null when the conversation has none. */
export function lastUserMessage(messages: readonly ConversationMessage[]): ConversationMessage | null {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!;
  return null;
}

/** 0-based index of the last user message among user messages (0 on the first user turn). */
export function userTurnIndex(messages: readonly ConversationMessage[]): number {
  let users = 0;
  for (const message of messages) if (message.role === 'user') users++;
  return Math.max(0, users - 1);
}

/** The tool results the conversation ends with (a parallel call answers with several), in order. */
export function trailingToolResults(messages: readonly ConversationMessage[]): ToolResult[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1]!.role === 'tool') start--;
  if (start === messages.length) return [];
  const names = new Map<string, string>();
  for (let i = start - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls) names.set(call.id, call.function.name);
      break;
    }
  }
  return messages.slice(start).map((message) => ({
    toolCallId: message.toolCallId ?? '',
    name: names.get(message.toolCallId ?? '') ?? message.name ?? 'tool',
    content: message.text,
  }));
}

export function fixtureView(turn: Turn): FixtureView {
  const results = trailingToolResults(turn.messages);
  const last = results[results.length - 1];
  return {
    userText: lastUserMessage(turn.messages)?.text.trim() ?? null,
    model: turn.model,
    door: turn.door,
    turn: userTurnIndex(turn.messages),
    toolResult: last ? { name: last.name, content: last.content } : null,
  };
}
