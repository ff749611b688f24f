import type { RunStatus } from '@threadline/protocol';
import type { Identity } from '../auth/identity';
import type { FaultSet } from '../faults/parse';
import { HttpError, modelNotFound } from '../internal/errors';
import { newRunId } from '../internal/ids';
import { modelDecision, replyText } from '../model/deterministic';
import type { ParsedFixture } from '../model/fixture-schema';
import type { ServerState, StoredRun } from '../state';
import { buildConversation, type Conversation } from './context';
import { finalizeReply } from './finalize';
import type { Decision, Reply, Turn, TurnRequest } from './types';
import { fixtureView } from './view';

export interface TurnInput {
  /** The turn in no door's shape: each door builds it from its own request. */
  request: TurnRequest;
  identity: Identity;
  faults: FaultSet;
  header(name: string): string | null;
  /** Told the run id as soon as the run exists, so even an error answer can name it. */
  onRun?(runId: string): void;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

// Most runs call no tool and reference no file: they share these (frozen) empty lists.
const NO_TOOL_CALLS = Object.freeze([]) as unknown as StoredRun['tool_calls'];
const NO_FILE_IDS = Object.freeze([]) as unknown as string[];

/**
 * The turn engine, step one: resolve the model, build the context (conversation, files, instructions)
 * and open the run. Throws an `HttpError` (the run is then recorded as failed). Synchronous unless an
 * attachment has to be stored, so a plain text turn costs no await.
 */
export function startTurn(state: ServerState, input: TurnInput): Turn | Promise<Turn> {
  const { request, identity } = input;
  const runId = newRunId();
  input.onRun?.(runId);
  const created = nowSeconds();
  const requested = request.model;
  const model = requested || identity.agent?.model || state.config.defaultModel;
  const fail = (error: unknown): never => {
    openRun(state, runId, model, created, identity.owner, null, 'failed');
    throw error;
  };
  if (requested && !input.faults.emptySuccess && !state.config.models.includes(requested)) {
    fail(modelNotFound(requested));
  }
  let built: Conversation | Promise<Conversation>;
  try {
    built = buildConversation(state, identity, request, created);
  } catch (error) {
    return fail(error);
  }
  if (built instanceof Promise) {
    return built.then((conversation) => openTurn(state, input, runId, created, model, conversation), fail);
  }
  return openTurn(state, input, runId, created, model, built);
}

function openRun(
  state: ServerState,
  runId: string,
  model: string,
  created: number,
  owner: string,
  conversation: { fileIds: string[]; instructions: string } | null,
  status: 'in_progress' | 'failed',
): void {
  const failed = status === 'failed';
  // One literal with every key in it (`instructions` last, undefined when the turn never got that far,
  // which JSON leaves out): a run is one object with its fields in place. The store keeps thousands, and
  // every extra object is work for each garbage collection.
  const run: StoredRun = {
    id: runId,
    object: 'run',
    status,
    stop_reason: failed ? 'error' : null,
    model,
    created_at: created,
    completed_at: failed ? nowSeconds() : null,
    usage: null,
    tool_calls: NO_TOOL_CALLS,
    file_ids: conversation && conversation.fileIds.length > 0 ? conversation.fileIds : NO_FILE_IDS,
    owner,
    instructions: conversation?.instructions,
  };
  state.runs.create(run);
}

function openTurn(
  state: ServerState,
  input: TurnInput,
  runId: string,
  created: number,
  model: string,
  conversation: Conversation,
): Turn {
  const { request, identity } = input;
  const base = identity.agent?.instructions ?? state.config.instructions;
  const instructions =
    conversation.systemTexts.length > 0 ? `${base}\n\n${conversation.systemTexts.join('\n\n')}` : base;
  openRun(
    state,
    runId,
    model,
    created,
    identity.owner,
    { fileIds: conversation.fileIds, instructions },
    'in_progress',
  );
  return {
    runId,
    created,
    model,
    door: request.door,
    request,
    identity,
    faults: input.faults,
    stream: request.stream,
    header: input.header,
    instructions,
    messages: conversation.messages,
    fileIds: conversation.fileIds,
    retrieved: [],
    tools: request.tools,
    extensions: {},
  };
}

function fromFixture(fixture: ParsedFixture & { id: string }): Decision {
  const { reply } = fixture;
  const decision: Decision = { source: `fixture:${fixture.id}` };
  if (reply.text !== undefined) decision.text = reply.text;
  if (reply.toolCalls) {
    decision.toolCalls = reply.toolCalls.map((call) => ({
      name: call.name,
      arguments: call.arguments ?? {},
    }));
  }
  if (reply.error) decision.error = reply.error;
  if (reply.serverTool) decision.serverTool = reply.serverTool;
  return decision;
}

/**
 * Step two: hooks prepare the context, then the first of decide hooks, fixtures and the deterministic
 * model chooses the answer; transform hooks may rewrite it; limits and token counts finish it.
 * Synchronous when no hook is installed.
 */
export function decideReply(state: ServerState, turn: Turn): Reply | Promise<Reply> {
  const { prepare, decide, transform } = state.hooks;
  if (prepare.length > 0 || decide.length > 0 || transform.length > 0) return decideWithHooks(state, turn);
  return conclude(turn, scriptedOrModel(state, turn));
}

/** A hook's answer still to come (a promise, or any thenable, as `await` would take it). */
const isPromise = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as { then?: unknown } | null | undefined)?.then === 'function';

/**
 * The hooks in order, synchronous until one of them returns a promise: the built-in hooks answer most
 * turns without one, and an `await` per hook would cost every request its microtask hops.
 */
function decideWithHooks(state: ServerState, turn: Turn): Reply | Promise<Reply> {
  const { prepare, decide, transform } = state.hooks;
  for (let i = 0; i < prepare.length; i++) {
    const done = prepare[i]!(turn);
    if (isPromise(done)) return Promise.resolve(done).then(() => resumeHooks(state, turn, i + 1, 0, null, 0));
  }
  let decision: Decision | null | undefined;
  for (let i = 0; i < decide.length; i++) {
    const got = decide[i]!(turn);
    if (isPromise(got)) {
      return Promise.resolve(got).then((d) => resumeHooks(state, turn, prepare.length, i + 1, d, 0));
    }
    decision = got;
    if (decision) break;
  }
  let chosen = decision ?? scriptedOrModel(state, turn);
  for (let i = 0; i < transform.length; i++) {
    const got = transform[i]!(turn, chosen);
    if (isPromise(got)) {
      return Promise.resolve(got).then((d) =>
        resumeHooks(state, turn, prepare.length, decide.length, d, i + 1),
      );
    }
    chosen = got;
  }
  return conclude(turn, chosen);
}

/**
 * The rest of the hooks once one went async, from where it stopped: prepare hooks from `p`, decide hooks
 * from `d` (none once a decision is in hand), transform hooks from `t` (the decision being transformed).
 */
async function resumeHooks(
  state: ServerState,
  turn: Turn,
  p: number,
  d: number,
  held: Decision | null | undefined,
  t: number,
): Promise<Reply> {
  const { prepare, decide, transform } = state.hooks;
  for (let i = p; i < prepare.length; i++) await prepare[i]!(turn);
  let decision = held;
  if (t === 0 && !decision) {
    for (let i = d; i < decide.length; i++) {
      decision = await decide[i]!(turn);
      if (decision) break;
    }
  }
  let chosen = decision ?? scriptedOrModel(state, turn);
  for (let i = t; i < transform.length; i++) chosen = await transform[i]!(turn, chosen);
  return conclude(turn, chosen);
}

function scriptedOrModel(state: ServerState, turn: Turn): Decision {
  if (state.fixtures.size > 0) {
    const fixture = state.fixtures.take(fixtureView(turn));
    if (fixture) return fromFixture(fixture);
  }
  return modelDecision(turn);
}

function conclude(turn: Turn, chosen: Decision): Reply {
  const decision = turn.faults.emptySuccess ? { text: '', source: 'fault:empty-success' } : chosen;
  if (decision.serverTool) {
    throw new HttpError({
      status: 500,
      message: `Server tool '${decision.serverTool.name}' was requested (${decision.source}) but no server tools are configured.`,
    });
  }
  return finalizeReply(turn, decision, () => replyText(turn));
}

export type RunOutcome = 'completed' | 'failed' | 'cancelled';

/** Step three: record how the run ended and tell the finish hooks. */
export function finishRun(state: ServerState, turn: Turn, reply: Reply | null, outcome: RunOutcome): void {
  let status: RunStatus = outcome;
  // The pause-as-completed fault: a paused run is recorded as if it had ended.
  if (outcome === 'completed' && reply?.stopReason === 'awaiting_approval' && !turn.faults.pauseAsCompleted)
    status = 'awaiting_approval';
  if (outcome === 'completed' && reply?.stopReason === 'approval_rejected') status = 'approval_rejected';
  const run = state.runs.update(turn.runId, {
    status,
    stop_reason:
      outcome === 'cancelled' ? 'cancelled' : outcome === 'failed' ? 'error' : (reply?.stopReason ?? null),
    completed_at: nowSeconds(),
    usage: reply?.usage ?? null,
    tool_calls:
      reply?.runToolCalls ??
      (!reply || reply.toolCalls.length === 0
        ? NO_TOOL_CALLS
        : reply.toolCalls.map((call) => ({
            id: call.id,
            name: call.name,
            arguments: call.arguments,
            status: 'client' as const,
            result: null,
          }))),
  });
  // The run as updated, in hand: reading it back from the store would rebuild a packed one.
  if (run) for (const finish of state.hooks.finish) finish(turn, reply, run);
}
