import {
  type ApprovalDecision,
  type AssistantMessage,
  type ChatCompletion,
  type ChatMessage,
  parseApprovalDecision,
  parseApprovalId,
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
}

/** The approval pauses in a completion (or a stream's finalCompletion()): tool calls with approval ids. */
export function pendingApprovals(completion: AnyCompletion): PendingApproval[] {
  const pending: PendingApproval[] = [];
  for (const choice of completion.choices) {
    for (const call of choice.message.tool_calls ?? []) {
      const parsed = parseApprovalId(call.id);
      if (!parsed) continue;
      let args: unknown = call.function.arguments;
      try {
        args = JSON.parse(call.function.arguments);
      } catch {
        // keep the raw text
      }
      pending.push({ ...parsed, id: call.id, name: call.function.name, arguments: args });
    }
  }
  return pending;
}

const decision = (approval: PendingApproval | string, content: ApprovalDecision): ToolMessage => ({
  role: 'tool',
  tool_call_id: typeof approval === 'string' ? approval : approval.id,
  content,
});

/** The tool message that approves a pause: the server then runs the tool and continues. */
export const approve = (approval: PendingApproval | string): ToolMessage => decision(approval, 'approve');
/** The tool message that rejects a pause: nothing runs; the run ends with stop reason `approval_rejected`. */
export const reject = (approval: PendingApproval | string): ToolMessage => decision(approval, 'reject');

export const approvals = { pending: pendingApprovals, approve, reject };
export type Approvals = typeof approvals;

export type ResumeParams = Omit<ChatCompletionCreateParams, 'messages'> & {
  /** The conversation so far (not needed on a thread: the server holds it and only decisions are sent). */
  messages?: ChatMessage[];
  /** The paused completion (or a stream's finalCompletion()); its assistant turn is added when missing. */
  completion?: AnyCompletion;
  /** `approvals.approve(p)` / `approvals.reject(p)` for each pause. */
  decisions: ToolMessage[];
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
  if (!params.decisions?.length) throw new ThreadlineError('resume needs at least one decision');
  for (const message of params.decisions) {
    const content = typeof message.content === 'string' ? message.content : '';
    if (
      message.role !== 'tool' ||
      !parseApprovalId(message.tool_call_id) ||
      !parseApprovalDecision(content)
    ) {
      throw new ThreadlineError(
        `a decision must be approvals.approve(p) or approvals.reject(p), got ${JSON.stringify(message).slice(0, 120)}`,
      );
    }
  }
  if (onThread) return [...params.decisions];
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
  return [...messages, ...params.decisions];
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
