import {
  APPROVAL_ID_SEPARATOR,
  ERROR_CODES,
  formatApprovalId,
  parseApprovalDecision,
  parseApprovalId,
  type RunToolCall,
} from '@threadline/protocol';
import type { Decision, Turn } from '../engine/types';
import { trailingToolResults } from '../engine/view';
import { HttpError } from '../internal/errors';
import { newToolCallId, randomId } from '../internal/ids';
import type { ServerState } from '../state';
import type { ApprovalStore, PendingApproval } from './approval-store';
import type { ServerTools, ToolOutcome } from './registry';

const nowSeconds = () => Math.floor(Date.now() / 1000);

const approvalError = (code: string, message: string) =>
  new HttpError({ status: 400, code, param: 'messages', message });

/** The text a turn answers with once a server tool ran: the same shape as a client tool result. */
const resultText = (name: string, result: string) => `${name} returned ${result}`;

/** The text a turn answers with when a server tool failed: the turn goes on and says so. */
const failureText = (name: string, error: string) => `${name} failed: ${error}`;

/** A call as the run records what running it came to: `executed` with its result, or `failed`. */
function ranCall(call: RunToolCall, outcome: ToolOutcome): string {
  if (outcome.error === null) {
    call.status = 'executed';
    call.result = outcome.result;
    return resultText(call.name, outcome.result);
  }
  call.status = 'failed';
  call.result = null;
  call.error = outcome.error;
  return failureText(call.name, outcome.error);
}

/**
 * Server tools and approvals as turn hooks:
 * - `decide` answers a conversation ending with approval decisions (tool messages whose id is an
 *   approval id): approve runs the tool and continues; reject runs nothing and ends `approval_rejected`.
 * - `transform` turns a server tool call (a fixture's `serverTool`, or the model's trigger match) into
 *   text (read-only tools run at once, unseen) or an approval pause (destructive tools).
 * A turn that sends client tools is left alone: server tools are not in play for it.
 */
export function installServerTools(state: ServerState, tools: ServerTools, approvals: ApprovalStore): void {
  // Synchronous when there is nothing to decide (most turns): only running tools needs an await.
  state.hooks.decide.push((turn) => {
    if (turn.tools.length > 0) return null;
    const decisions = pendingDecisions(turn, approvals);
    if (decisions.length === 0) return null;
    return applyDecisions(turn, decisions);
  });

  async function applyDecisions(turn: Turn, decisions: PendingDecision[]): Promise<Decision> {
    // A pause whose run the bounded run store evicted has expired: nothing of it may run any more.
    for (const { approval } of decisions) {
      if (!state.runs.get(approval.runId, approval.owner)) {
        throw approvalError(
          ERROR_CODES.unknownApprovalId,
          `The approval '${approval.id}' has expired: its run is no longer kept (the run store is full).`,
        );
      }
    }
    const texts: string[] = [];
    const runToolCalls: RunToolCall[] = [];
    let rejected = false;
    for (const { approval, decision } of decisions) {
      const at = nowSeconds();
      approvals.decide(approval.id, decision === 'approve' ? 'approved' : 'rejected', at);
      const call: RunToolCall = {
        id: approval.id,
        name: approval.tool,
        arguments: approval.arguments,
        status: 'rejected',
        result: null,
      };
      const run = () =>
        tools.execute(
          approval.tool,
          JSON.parse(approval.arguments),
          { runId: turn.runId, owner: approval.owner },
          turn.identity.tenant,
        );
      if (decision === 'approve') {
        // A tool that fails after approval still completes the run: the answer says it failed.
        texts.push(ranCall(call, await run()));
      } else {
        rejected = true;
        // The run-on-reject fault: the tool runs although the answer and the record say it did not.
        if (turn.faults.runOnReject) await run();
        texts.push(`${approval.tool} was not run: the call was rejected.`);
      }
      runToolCalls.push(call);
      // The paused run ends the way the decision went (the reject-as-completed fault records it completed).
      const completed = decision === 'approve' || turn.faults.rejectAsCompleted === true;
      state.runs.update(approval.runId, {
        status: completed ? 'completed' : 'approval_rejected',
        stop_reason: completed ? 'end_turn' : 'approval_rejected',
        completed_at: at,
        tool_calls: [{ ...call }],
      });
    }
    const decided: Decision = { text: texts.join('\n'), runToolCalls, source: 'approvals' };
    if (rejected) {
      decided.stopReason = 'approval_rejected';
      decided.finishReason = 'stop';
    }
    return decided;
  }

  // A pause whose stream the caller dropped can never be resumed: nothing of it may run later.
  state.hooks.finish.push((_turn, reply, run) => {
    if (run.status !== 'cancelled' && run.status !== 'failed') return;
    for (const call of reply?.runToolCalls ?? []) {
      if (call.status === 'awaiting_approval') approvals.decide(call.id, 'cancelled', nowSeconds());
    }
  });

  state.hooks.transform.push((turn, decision) => {
    if (turn.tools.length > 0) return decision;
    const call =
      decision.serverTool ?? (decision.source === 'model' && !decision.error ? tools.triggered(turn) : null);
    if (!call) return decision;
    const tool = tools.get(call.name);
    // Unknown to us: left for another hook (or the engine's "no server tools" error).
    if (!tool) return decision;
    const args = JSON.stringify(call.arguments);
    if (tool.destructive) {
      // A call that could never run gets no approval (execute() checks the others itself).
      tools.check(call.name, call.arguments);
      return pause(turn, call.name, args, approvals);
    }
    return runTool(turn, decision, call, args);
  });

  async function runTool(
    turn: Turn,
    decision: Decision,
    call: { name: string; arguments: Record<string, unknown> },
    args: string,
  ): Promise<Decision> {
    const outcome = await tools.execute(
      call.name,
      call.arguments,
      { runId: turn.runId, owner: turn.identity.owner },
      turn.identity.tenant,
    );
    const ran: RunToolCall = { id: newToolCallId(), name: call.name, arguments: args, status: 'executed' };
    const said = ranCall(ran, outcome);
    // A fixture's own text answers a call that worked; a failed call is answered by its failure.
    const text =
      decision.serverTool && decision.text !== undefined && outcome.error === null ? decision.text : said;
    return {
      text,
      runToolCalls: [ran],
      source: decision.source === 'model' ? 'server-tools' : decision.source,
    };
  }
}

/** A destructive call: the run stops with a tool call whose id names the run, until a decision comes. */
function pause(turn: Turn, name: string, args: string, approvals: ApprovalStore): Decision {
  const toolCallId = newToolCallId();
  const id = formatApprovalId({ runId: turn.runId, toolCallId });
  approvals.put({
    id,
    owner: turn.identity.owner,
    runId: turn.runId,
    tool: name,
    arguments: args,
    status: 'pending',
    createdAt: nowSeconds(),
    decidedAt: null,
  });
  // The bad-approval-id fault: an id that is not `<run_id>::<tool_call_id>`, for the suite to catch.
  const sent = turn.faults.badApprovalId ? `approval-${randomId(12)}` : id;
  return {
    toolCalls: [{ id: sent, name, arguments: args }],
    finishReason: 'tool_calls',
    stopReason: 'awaiting_approval',
    runToolCalls: [{ id, name, arguments: args, status: 'awaiting_approval', result: null }],
    source: 'approvals',
  };
}

interface PendingDecision {
  approval: PendingApproval;
  decision: 'approve' | 'reject';
}

/**
 * The approval decisions the conversation ends with, all checked before any is applied: an id the
 * caller was never given → unknown_approval_id; one already decided → approval_already_decided; content
 * other than approve/reject → invalid_approval_decision.
 */
function pendingDecisions(turn: Turn, approvals: ApprovalStore): PendingDecision[] {
  const out: PendingDecision[] = [];
  for (const result of trailingToolResults(turn.messages)) {
    const wellFormed = parseApprovalId(result.toolCallId) !== null;
    // An id with `::` that is not an approval id (the docs' `RUN::CALL` placeholder pasted as is) was
    // meant as a decision: refused like an unknown one, never read as a client tool's result.
    if (!wellFormed && !result.toolCallId.includes(APPROVAL_ID_SEPARATOR)) continue;
    // The any-user-approves fault: the approval is found whoever asks.
    const approval = wellFormed
      ? approvals.get(result.toolCallId, turn.faults.anyUserApproves ? null : turn.identity.owner)
      : undefined;
    if (!approval) {
      // The accept-unknown-approval fault: an id never issued is passed over as a plain tool message.
      if (turn.faults.acceptUnknownApproval) continue;
      throw approvalError(
        ERROR_CODES.unknownApprovalId,
        wellFormed
          ? `No approval is waiting under the id '${result.toolCallId}'.`
          : `'${result.toolCallId.slice(0, 80)}' is not an approval id: use the tool call id the pause returned, <run_id>::<tool_call_id>.`,
      );
    }
    // The rerun-decided fault: a decided approval is decided (and run) again.
    if (approval.status !== 'pending' && !turn.faults.rerunDecided) {
      throw approvalError(
        ERROR_CODES.approvalAlreadyDecided,
        `The approval '${approval.id}' was already ${approval.status}.`,
      );
    }
    const decision = parseApprovalDecision(result.content);
    if (decision === null) {
      throw approvalError(
        ERROR_CODES.invalidApprovalDecision,
        `A tool message answering an approval must say "approve" or "reject", got ${JSON.stringify(result.content.slice(0, 80))}.`,
      );
    }
    out.push({ approval, decision });
  }
  return out;
}
