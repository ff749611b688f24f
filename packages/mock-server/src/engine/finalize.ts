import type { FinishReason, StopReason, Usage } from '@threadline/protocol';
import { newToolCallId } from '../internal/ids';
import { replyLogprobs } from '../model/logprobs';
import { countTokensRemembered } from '../model/token-memo';
import { countTokens, cutTokens } from '../model/tokens';
import type { Decision, Reply, ReplyToolCall, Turn } from './types';

/** Conversations longer than this count their texts through the remembered counts. */
const LONG_CONVERSATION = 8;

/** Tokens an image, file or audio part costs, whatever its size. */
export const ATTACHMENT_TOKENS = 85;

/**
 * Prompt tokens (docs/mock-server.md): 3, plus per message 4 + its text + 85 per attachment + each tool
 * call's name and arguments; per client tool 8 + its name, description and JSON-encoded parameters;
 * plus every retrieved memory passage.
 */
export function promptTokens(turn: Turn): number {
  let total = 3;
  // A long conversation (a thread's history, say) repeats the texts of earlier turns: counted once.
  const count = turn.messages.length > LONG_CONVERSATION ? countTokensRemembered : countTokens;
  for (const message of turn.messages) {
    total += 4 + count(message.text) + ATTACHMENT_TOKENS * message.attachments.length;
    for (const call of message.toolCalls) {
      total += countTokens(call.function.name) + countTokens(call.function.arguments);
    }
  }
  for (const tool of turn.tools) {
    const fn = tool.function;
    total += 8 + countTokens(fn.name) + countTokens(fn.description ?? '');
    if (fn.parameters) total += countTokens(JSON.stringify(fn.parameters));
  }
  for (const passage of turn.retrieved) total += countTokens(passage);
  return total;
}

// Every answer reports the same zero details: one shared (frozen) pair instead of two objects per run.
const PROMPT_DETAILS = Object.freeze({ cached_tokens: 0, audio_tokens: 0 });
const COMPLETION_DETAILS = Object.freeze({
  reasoning_tokens: 0,
  audio_tokens: 0,
  accepted_prediction_tokens: 0,
  rejected_prediction_tokens: 0,
});

export function makeUsage(prompt: number, completion: number, bad = false): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    // The bad-usage fault: a total that does not add up, for the conformance suite to catch.
    total_tokens: prompt + completion + (bad ? 7 : 0),
    prompt_tokens_details: PROMPT_DETAILS,
    completion_tokens_details: COMPLETION_DETAILS,
  };
}

/** Cuts text before the earliest stop sequence; null when none occurs. */
function cutAtStop(text: string, stop: readonly string[]): string | null {
  let cut = -1;
  for (const sequence of stop) {
    if (sequence === '') continue;
    const at = text.indexOf(sequence);
    if (at !== -1 && (cut === -1 || at < cut)) cut = at;
  }
  return cut === -1 ? null : text.slice(0, cut);
}

/**
 * Applies the sampling limits to a decision and counts tokens: stop sequences cut the text (finish
 * `stop`), then `max_tokens`/`max_completion_tokens` cut it to that many tokens (finish `length`). Tool
 * call arguments are never cut.
 */
export function finalizeReply(turn: Turn, decision: Decision, fallbackText: () => string): Reply {
  const toolCalls: ReplyToolCall[] = (decision.toolCalls ?? []).map((call) => ({
    id: call.id ?? newToolCallId(),
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  let text: string | null = decision.text ?? null;
  // A scripted mid-stream error streams some text first: the model's own when the fixture gives none.
  if (text === null && decision.error) text = fallbackText();
  if (text === null && toolCalls.length === 0) text = '';
  let stopReason: StopReason = toolCalls.length > 0 ? 'tool_calls' : 'end_turn';
  let finishReason: FinishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  let pieces: readonly string[] = [];
  if (text !== null) {
    const cut = cutAtStop(text, turn.request.stop);
    if (cut !== null) {
      text = cut;
      if (toolCalls.length === 0) stopReason = 'stop_sequence';
    }
    pieces = cutTokens(text);
    const limit = turn.request.maxTokens;
    if (limit !== null && pieces.length > limit) {
      pieces = pieces.slice(0, limit);
      text = pieces.join('');
      if (toolCalls.length === 0) {
        finishReason = 'length';
        stopReason = 'max_tokens';
      }
    }
  }
  // One piece per token, except for text that is only whitespace: one piece, no token.
  let completion = text === null ? 0 : pieces.length === 1 ? countTokens(pieces[0]!) : pieces.length;
  for (const call of toolCalls) completion += countTokens(call.name) + countTokens(call.arguments);
  return {
    text,
    pieces,
    toolCalls,
    finishReason: decision.finishReason ?? finishReason,
    stopReason: decision.stopReason ?? stopReason,
    usage: makeUsage(promptTokens(turn), completion, turn.faults.badUsage),
    error: decision.error ?? null,
    runToolCalls: decision.runToolCalls ?? null,
    source: decision.source,
    logprobs:
      turn.request.topLogprobs !== null
        ? { content: text === null ? null : replyLogprobs(pieces, turn.request.topLogprobs) }
        : null,
  };
}
