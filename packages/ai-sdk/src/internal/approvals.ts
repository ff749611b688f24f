import { InvalidPromptError, type LanguageModelV4Prompt } from '@ai-sdk/provider';
import { parseApprovalId } from '@threadline/protocol';

export interface ApprovalDecisionPart {
  approvalId: string;
  approved: boolean;
  reason?: string;
}

export interface PendingPause {
  /** The approval id, which is also the tool call id of the pause. */
  approvalId: string;
  toolName: string;
  input: unknown;
}

/** Index of the last assistant message: what follows it is this call's new turn. */
export function lastAssistantIndex(prompt: LanguageModelV4Prompt): number {
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i]?.role === 'assistant') return i;
  return -1;
}

/** Whether a tool call id is a server pause (`<run_id>::<tool_call_id>`). */
export const isPauseId = (toolCallId: string) => parseApprovalId(toolCallId) !== null;

/**
 * The decisions this call carries: `tool-approval-response` parts after the last assistant message
 * (earlier ones were sent already and the server refuses a second decision). An `execution-denied`
 * result on a pause with no approval response beside it counts as a reject: `generateText` writes one
 * on its reject path, and it means the same.
 */
export function approvalDecisions(prompt: LanguageModelV4Prompt): ApprovalDecisionPart[] {
  const decisions = new Map<string, ApprovalDecisionPart>();
  const denied = new Map<string, ApprovalDecisionPart>();
  for (const message of prompt.slice(lastAssistantIndex(prompt) + 1)) {
    if (message.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type === 'tool-approval-response') {
        if (!isPauseId(part.approvalId) || decisions.has(part.approvalId)) continue;
        const decision: ApprovalDecisionPart = { approvalId: part.approvalId, approved: part.approved };
        if (part.reason !== undefined) decision.reason = part.reason;
        decisions.set(part.approvalId, decision);
      } else if (part.output.type === 'execution-denied' && isPauseId(part.toolCallId)) {
        const decision: ApprovalDecisionPart = { approvalId: part.toolCallId, approved: false };
        if (part.output.reason !== undefined) decision.reason = part.output.reason;
        denied.set(part.toolCallId, decision);
      }
    }
  }
  for (const [id, decision] of denied) if (!decisions.has(id)) decisions.set(id, decision);
  return [...decisions.values()];
}

/** Pauses of the last assistant message that this call does not decide and that have no result. */
export function pendingPauses(prompt: LanguageModelV4Prompt): PendingPause[] {
  const index = lastAssistantIndex(prompt);
  const assistant = prompt[index];
  if (assistant?.role !== 'assistant') return [];
  const decided = new Set(approvalDecisions(prompt).map((d) => d.approvalId));
  const resulted = new Set<string>();
  for (const part of assistant.content) if (part.type === 'tool-result') resulted.add(part.toolCallId);
  const pending: PendingPause[] = [];
  for (const part of assistant.content) {
    if (part.type !== 'tool-call' || !part.providerExecuted || !isPauseId(part.toolCallId)) continue;
    if (decided.has(part.toolCallId) || resulted.has(part.toolCallId)) continue;
    pending.push({ approvalId: part.toolCallId, toolName: part.toolName, input: part.input });
  }
  return pending;
}

/**
 * A prompt whose last assistant message paused for approval, with no user message after it and no
 * decision for a pause, cannot be answered: the server would refuse the half-decided turn. Say what to send.
 */
export function assertNoUndecidedPause(prompt: LanguageModelV4Prompt): void {
  const index = lastAssistantIndex(prompt);
  if (index < 0 || prompt.slice(index + 1).some((m) => m.role === 'user')) return;
  const pending = pendingPauses(prompt);
  if (pending.length === 0) return;
  const ids = pending.map((p) => p.approvalId).join(', ');
  throw new InvalidPromptError({
    prompt,
    message:
      `the prompt ends on an approval pause with no decision (${ids}). Send a tool message with a ` +
      'tool-approval-response part per pause, with providerExecuted: true (the SDK drops one without it) — ' +
      "e.g. approve(id) or reject(id) from @threadline/ai-sdk, or useChat's addToolApprovalResponse.",
  });
}
