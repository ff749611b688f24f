import type { ToolApprovalResponse, ToolModelMessage } from '@ai-sdk/provider-utils';

/**
 * A decision for a Threadline approval pause, in the shape `ai` forwards to the provider. The
 * `providerExecuted: true` flag matters: `ai` drops an approval response without it before the model sees it.
 */
export function approve(approvalId: string, reason?: string): ToolApprovalResponse {
  return decision(approvalId, true, reason);
}

/** Rejects a pause: the server runs nothing and the run ends `approval_rejected`. */
export function reject(approvalId: string, reason?: string): ToolApprovalResponse {
  return decision(approvalId, false, reason);
}

/** A whole tool message holding the given decisions, to append to `messages`. */
export function approvalMessage(...decisions: ToolApprovalResponse[]): ToolModelMessage {
  return { role: 'tool', content: decisions };
}

function decision(approvalId: string, approved: boolean, reason?: string): ToolApprovalResponse {
  if (typeof approvalId !== 'string' || approvalId.length === 0) {
    throw new TypeError('approve()/reject() need the approval id of the pause');
  }
  const part: ToolApprovalResponse = {
    type: 'tool-approval-response',
    approvalId,
    approved,
    providerExecuted: true,
  };
  if (reason !== undefined) part.reason = reason;
  return part;
}
