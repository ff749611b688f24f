import type { Usage } from '@threadline/protocol';
import { quotedText } from '../model/tokens';
import type { Reply, Turn } from './types';

export const SYSTEM_FINGERPRINT = 'fp_threadline';

/** The usage object as JSON, written out by hand: it is on every answer and its shape is fixed. */
export function usageJson(usage: Usage): string {
  const p = usage.prompt_tokens_details;
  const c = usage.completion_tokens_details;
  return (
    `{"prompt_tokens":${usage.prompt_tokens},"completion_tokens":${usage.completion_tokens},` +
    `"total_tokens":${usage.total_tokens},"prompt_tokens_details":{"cached_tokens":${p?.cached_tokens ?? 0},` +
    `"audio_tokens":${p?.audio_tokens ?? 0}},"completion_tokens_details":{"reasoning_tokens":${c?.reasoning_tokens ?? 0},` +
    `"audio_tokens":${c?.audio_tokens ?? 0},"accepted_prediction_tokens":${c?.accepted_prediction_tokens ?? 0},` +
    `"rejected_prediction_tokens":${c?.rejected_prediction_tokens ?? 0}}}`
  );
}

/** A choice's `logprobs` object (`refusal` is always null: the model never refuses). */
export function logprobsJson(logprobs: Reply['logprobs']): string {
  if (logprobs === null) return 'null';
  return `{"content":${logprobs.content === null ? 'null' : JSON.stringify(logprobs.content)},"refusal":null}`;
}

/**
 * The `chat.completion` object of a turn (non-streaming answer), serialised directly: the envelope is
 * fixed, so only the text, ids and tool calls go through JSON.stringify.
 */
export function completionJson(turn: Turn, reply: Reply): string {
  let message = `{"role":"assistant","content":${reply.text === null ? 'null' : quotedText(reply.text)},"refusal":null`;
  if (reply.toolCalls.length > 0) {
    const calls = reply.toolCalls.map(
      (call) =>
        `{"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":${JSON.stringify(call.arguments)}}}`,
    );
    message += `,"tool_calls":[${calls.join(',')}]`;
  }
  return (
    `{"id":${JSON.stringify(turn.runId)},"object":"chat.completion","created":${turn.created},` +
    `"model":${JSON.stringify(turn.model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}",` +
    `"choices":[{"index":0,"message":${message}},"logprobs":${logprobsJson(reply.logprobs)},"finish_reason":"${reply.finishReason}"}],` +
    `"usage":${usageJson(reply.usage)},"stop_reason":"${reply.stopReason}"}`
  );
}
