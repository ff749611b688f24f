import { type DynamicToolUIPart, getToolName, type ToolUIPart } from 'ai';

type ToolPart = ToolUIPart | DynamicToolUIPart;
type Decide = (id: string, approved: boolean) => void;

const LABELS: Record<ToolPart['state'], string> = {
  'input-streaming': 'preparing…',
  'input-available': 'running on the server…',
  'approval-requested': 'needs your approval',
  'approval-responded': 'decision sent…',
  'output-available': 'ran on the server',
  'output-error': 'failed',
  'output-denied': 'rejected: nothing ran',
};

// One line, with spaces: short payloads read like prose and long ones still wrap.
const json = (value: unknown) => JSON.stringify(value, null, 1)?.replace(/\n\s*/g, ' ') ?? '';

/** One tool call: what it is, its arguments, where it stands, and, for a pause, the decision buttons. */
export function ToolCard({ part, decide }: { part: ToolPart; decide: Decide }) {
  const { state, approval } = part;
  const label =
    approval?.approved && state === 'output-available' ? `approved, ${LABELS[state]}` : LABELS[state];
  return (
    <div
      className={`tool ${state}`}
      data-tool={getToolName(part)}
      data-state={state}
      data-approval-id={approval?.id}
    >
      <div className="tool-head">
        <code>{getToolName(part)}</code>
        <span className="tool-state">{label}</span>
      </div>
      <pre className="tool-input">{json(part.input)}</pre>
      {part.state === 'output-available' && <pre className="tool-output">{json(part.output)}</pre>}
      {part.state === 'output-error' && <pre className="tool-output">{part.errorText}</pre>}
      {part.state === 'approval-requested' && (
        <div className="tool-actions">
          <button type="button" className="approve" onClick={() => decide(part.approval.id, true)}>
            Approve
          </button>
          <button type="button" className="reject" onClick={() => decide(part.approval.id, false)}>
            Reject
          </button>
        </div>
      )}
    </div>
  );
}
