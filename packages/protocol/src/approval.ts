/** Separates the run id from the tool call id in an approval id: `<run_id>::<tool_call_id>`. */
export const APPROVAL_ID_SEPARATOR = '::';

/** The two decisions a tool message may carry to answer an approval pause. */
export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

export interface ApprovalId {
  runId: string;
  toolCallId: string;
}

const PART = /^[A-Za-z0-9_-]+$/;

/** Builds `<run_id>::<tool_call_id>`; throws a TypeError on a part that could not round-trip. */
export function formatApprovalId(id: ApprovalId): string {
  if (!id.runId.startsWith('run_') || !PART.test(id.runId)) {
    throw new TypeError(`approval id: run id must look like run_<id>, got ${JSON.stringify(id.runId)}`);
  }
  if (!PART.test(id.toolCallId)) {
    throw new TypeError(`approval id: invalid tool call id ${JSON.stringify(id.toolCallId)}`);
  }
  return `${id.runId}${APPROVAL_ID_SEPARATOR}${id.toolCallId}`;
}

/** Splits an approval id; `null` when the value is not one (an ordinary tool call id, say). */
export function parseApprovalId(value: string): ApprovalId | null {
  const parts = value.split(APPROVAL_ID_SEPARATOR);
  if (parts.length !== 2) return null;
  const [runId, toolCallId] = parts as [string, string];
  if (!runId.startsWith('run_') || !PART.test(runId) || !PART.test(toolCallId)) return null;
  return { runId, toolCallId };
}

export const isApprovalId = (value: string): boolean => parseApprovalId(value) !== null;

/** Reads a tool message's content as a decision; `null` for anything but `approve`/`reject`. */
export function parseApprovalDecision(content: string): ApprovalDecision | null {
  const word = content.trim().toLowerCase();
  return word === 'approve' || word === 'reject' ? word : null;
}
