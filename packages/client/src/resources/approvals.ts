import {
  type ApprovalDecision,
  type AssistantMessage,
  type ChatCompletion,
  type ChatMessage,
  parseApprovalDecision,
  parseApprovalId,
  type ResponseResource,
  type ToolMessage,
} from '@threadline/protocol';
import type { AnyCompletion } from '../core/assemble';
import { ThreadlineError } from '../core/errors';
import { mergeOptions, type RequestOptions } from '../core/options';
import type { ChatCompletionStream } from '../core/stream';
import { type ChatCompletionCreateParams, ChatCompletions, createCompletion } from './chat';

/** A destructive server tool call waiting for a person's decision. */
export interface PendingApproval {
  runId: string;
  toolCallId: string;
  /** The approval id `<run_id>::<tool_call_id>`, echoed in the decision's `tool_call_id`. */
  id: string;
  /** The real tool the server will run on approval. */
  name: string;
  /** Its arguments, parsed (the raw text when it is not valid JSON). */
  arguments: unknown;
  /** The tool server's label (responses only: the `mcp_approval_request` item's `server_label`). */
  serverLabel?: string;
}

/** One pause type for both doors. */
export type Pause = PendingApproval;

/** A decision: the tool message chat sends; `reason` travels only in a responses `mcp_approval_response`. */
export type Decision = ToolMessage & { reason?: string };

const isResponse = (value: AnyCompletion | ResponseResource): value is ResponseResource =>
  value.object === 'response';

const parseArgs = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * The approval pauses in a completion (or a stream's finalCompletion()): tool calls with approval ids;
 * or in a response (or a response stream's finalResponse()): its `mcp_approval_request` items.
 */
export function pendingApprovals(completion: AnyCompletion | ResponseResource): PendingApproval[] {
  const pending: PendingApproval[] = [];
  if (isResponse(completion)) {
    for (const item of completion.output) {
      if (item.type !== 'mcp_approval_request') continue;
      // A server whose ids are not `<run_id>::<tool_call_id>` still pauses: the response is the run.
      const parsed = parseApprovalId(item.id) ?? { runId: completion.id, toolCallId: item.id };
      pending.push({
        ...parsed,
        id: item.id,
        name: item.name,
        arguments: parseArgs(item.arguments),
        serverLabel: item.server_label,
      });
    }
    return pending;
  }
  for (const choice of completion.choices) {
    for (const call of choice.message.tool_calls ?? []) {
      const parsed = parseApprovalId(call.id);
      if (!parsed) continue;
      pending.push({
        ...parsed,
        id: call.id,
        name: call.function.name,
        arguments: parseArgs(call.function.arguments),
      });
    }
  }
  return pending;
}

function decision(approval: PendingApproval | string, content: ApprovalDecision, reason?: string): Decision {
  const message: Decision = {
    role: 'tool',
    tool_call_id: typeof approval === 'string' ? approval : approval.id,
    content,
  };
  if (reason !== undefined) message.reason = reason;
  return message;
}

/** Approves a pause: the server then runs the tool and continues. Send it with either door's `resume`. */
export const approve = (approval: PendingApproval | string, reason?: string): Decision =>
  decision(approval, 'approve', reason);
/** Rejects a pause: nothing runs; the run ends with stop reason `approval_rejected`. */
export const reject = (approval: PendingApproval | string, reason?: string): Decision =>
  decision(approval, 'reject', reason);

export const approvals = { pending: pendingApprovals, approve, reject };
export type Approvals = typeof approvals;

export type ResumeParams = Omit<ChatCompletionCreateParams, 'messages'> & {
  /** The conversation so far (not needed on a thread: the server holds it and only decisions are sent). */
  messages?: ChatMessage[];
  /** The paused completion (or a stream's finalCompletion()); its assistant turn is added when missing. */
  completion?: AnyCompletion;
  /** `approvals.approve(p)` / `approvals.reject(p)` for each pause. */
  decisions: Decision[];
};

/** The assistant turn of a completion as a request message (wire fields only). */
function assistantTurn(completion: AnyCompletion): AssistantMessage {
  const message = completion.choices[0]?.message;
  const turn: AssistantMessage = { role: 'assistant', content: message?.content ?? null };
  if (message?.tool_calls?.length) {
    turn.tool_calls = message.tool_calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
  }
  return turn;
}

const callIds = (messages: ChatMessage[]) =>
  new Set(messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [])));

/** Builds the messages of a resume turn; every decision is checked before anything is sent. */
export function resumeMessages(params: ResumeParams, onThread: boolean): ChatMessage[] {
  checkDecisions(params.decisions, true);
  // A tool message has no place for a reason: chat sends the decision word only.
  const decisions = params.decisions.map(({ reason: _reason, ...message }: Decision) => message);
  if (onThread) return decisions;
  const messages = [...(params.messages ?? [])];
  if (params.completion) {
    const turn = assistantTurn(params.completion);
    const known = callIds(messages);
    if (!turn.tool_calls?.every((call) => known.has(call.id))) messages.push(turn);
  }
  const known = callIds(messages);
  const missing = params.decisions.find((d) => !known.has(d.tool_call_id));
  if (missing) {
    throw new ThreadlineError(
      `no assistant message holds tool call ${missing.tool_call_id}: pass the paused \`completion\` or include its assistant turn in \`messages\``,
    );
  }
  return [...messages, ...decisions];
}

/**
 * Checks decisions before anything is sent; returns each one's approval id and verdict. Chat needs
 * approval ids of the `<run_id>::<tool_call_id>` form; responses echo whatever id the server issued.
 */
export function checkDecisions(
  decisions: readonly Decision[] | undefined,
  chatIds: boolean,
): { id: string; approve: boolean; reason?: string }[] {
  if (!decisions?.length) throw new ThreadlineError('resume needs at least one decision');
  return decisions.map((message) => {
    const content = typeof message.content === 'string' ? message.content : '';
    const verdict = parseApprovalDecision(content);
    const id = message.tool_call_id;
    if (message.role !== 'tool' || !verdict || !id || (chatIds && !parseApprovalId(id))) {
      throw new ThreadlineError(
        `a decision must be approvals.approve(p) or approvals.reject(p), got ${JSON.stringify(message).slice(0, 120)}`,
      );
    }
    const out: { id: string; approve: boolean; reason?: string } = { id, approve: verdict === 'approve' };
    if (typeof message.reason === 'string') out.reason = message.reason;
    return out;
  });
}

/** Chat completions plus `resume`, the way back from an approval pause. */
export class ResumableChatCompletions extends ChatCompletions {
  /**
   * Re-sends the conversation with the decisions (on a thread, only the decisions). Approve runs the tool
   * and continues; reject ends the run with stop reason `approval_rejected`.
   */
  resume(params: ResumeParams & { stream: true }, options?: RequestOptions): Promise<ChatCompletionStream>;
  resume(params: ResumeParams & { stream?: false | null }, options?: RequestOptions): Promise<ChatCompletion>;
  resume(params: ResumeParams, options?: RequestOptions): Promise<ChatCompletion | ChatCompletionStream>;
  async resume(params: ResumeParams, options?: RequestOptions) {
    const onThread = mergeOptions(this.client.options, options).threadId != null;
    const { completion: _completion, decisions: _decisions, ...rest } = params;
    return createCompletion(this.client, { ...rest, messages: resumeMessages(params, onThread) }, options);
  }
}
