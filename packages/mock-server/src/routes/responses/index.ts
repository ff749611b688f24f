import { ERROR_CODES, SSE_CONTENT_TYPE } from '@threadline/protocol';
import type { ChatMessage } from '@threadline/protocol/schemas';
import { authenticate, resolveIdentity } from '../../auth/identity';
import type { RequestContext } from '../../context';
import { decideReply, finishRun, startTurn } from '../../engine/turn';
import type { Reply, Turn } from '../../engine/types';
import { noteBody, readJsonBody } from '../../internal/body';
import { HttpError, typeForStatus } from '../../internal/errors';
import { JSON_CONTENT_TYPE, type OutboundResponse } from '../../internal/wire';
import type { ServerState } from '../../state';
import { splitArguments } from '../../stream/chunks';
import { FramePump } from '../../stream/pump';
import { EventSequence, eventText, malformedEventText, responseEvents } from '../../stream/responses-events';
import { withResponseProgress } from '../../stream/responses-progress';
import { scriptedError, scriptedErrorBody } from '../chat';
import { chunkDelay } from '../chat-request';
import { findItem, loadChain, saveChain, saveItems, withStoredFiles } from './chain';
import { compactionReader } from './compact';
import {
  type ParsedResponsesRequest,
  parseResponsesRequest,
  type ResponseEcho,
  turnRequest,
} from './request';
import { checkCallOutputs, inputMessages, inputParam } from './request-items';
import {
  faultedItems,
  finalStatus,
  itemMessages,
  type OutputItem,
  outputItems,
  type ResourceState,
  replyMessages,
  responseResource,
  spoiledResource,
} from './resource';
import { resourceJson } from './resource-json';

const STREAM_HEADERS = {
  'content-type': SSE_CONTENT_TYPE,
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

const previousNotFound = (id: string) =>
  new HttpError({
    status: 404,
    code: ERROR_CODES.previousResponseNotFound,
    param: 'previous_response_id',
    message: `Previous response with id '${id}' not found.`,
  });

/** The approval hook names chat's field; on this door the decisions come in `input`. */
function onThisDoor(error: unknown): unknown {
  if (!(error instanceof HttpError) || error.param !== 'messages') return error;
  return new HttpError({
    status: error.status,
    code: error.code,
    type: error.type,
    param: 'input',
    message: error.message,
    headers: error.headers,
  });
}

/**
 * POST /v1/responses: the second door onto the turn engine. The request becomes a turn (the
 * conversation of `previous_response_id`, then the new input), the engine decides it, and the reply is
 * rendered as a response resource or as named SSE events through the shared frame pump.
 */
export async function createResponse(ctx: RequestContext): Promise<OutboundResponse> {
  const { state, request: inbound, faults } = ctx;
  const principal = authenticate(state.config, inbound, faults);
  const read = await readJsonBody(inbound, faults.bodyLimit);
  noteBody(ctx, read);
  const { value } = read;
  const parsed = parseResponsesRequest(value, faults);
  const { request } = parsed;
  const identity = resolveIdentity(state.config, principal, inbound, {
    user: request.user,
    requireAgent: true,
  });
  const delayMs = request.stream ? chunkDelay(inbound, state.config.chunkDelayMs) : 0;
  let history: ChatMessage[] = [];
  const held = inbound.connectionResponses;
  // A response this WebSocket connection holds (store:false) carries its whole conversation.
  let heldByConnection = false;
  if (request.previous_response_id != null) {
    const own = held?.get(request.previous_response_id, identity.owner) ?? null;
    heldByConnection = own !== null;
    const found = own ?? loadChain(state, request.previous_response_id, identity.owner);
    // The ignore-unknown-previous fault passes an unknown id over instead of answering 404.
    if (!found && !faults.ignoreUnknownPrevious) throw previousNotFound(request.previous_response_id);
    history = found ?? [];
  }
  const input = inputMessages(
    request,
    (id) => findItem(state, id, identity.owner),
    compactionReader(state, identity.owner),
  );
  const conversation = [...history, ...input.messages];
  checkCallOutputs(conversation, request);
  const instructions: ChatMessage[] = request.instructions
    ? [{ role: 'system', content: request.instructions } as ChatMessage]
    : [];

  let turn: Turn;
  try {
    const started = startTurn(state, {
      request: turnRequest(parsed, [...instructions, ...conversation]),
      identity,
      faults,
      header: (name) => inbound.header(name),
      onRun: (runId) => {
        ctx.runId = runId;
      },
    });
    turn = started instanceof Promise ? await started : started;
  } catch (error) {
    // Once a stream is asked for, an unknown model is told in the stream: created, then failed.
    if (request.stream && error instanceof HttpError && error.modelNotFound && ctx.runId) {
      return streamedFailure(ctx.runId, parsed, error);
    }
    throw inputParam(error, instructions.length + history.length, input.partSources);
  }

  // The conversation as the start step built it (hooks may add memory to turn.messages later).
  const built = turn.messages.slice();
  let reply: Reply;
  try {
    const decided = decideReply(state, turn);
    reply = decided instanceof Promise ? await decided : decided;
  } catch (error) {
    finishRun(state, turn, null, 'failed');
    throw onThisDoor(error);
  }
  // The output as stored; the items sent are the same unless an output fault spoils them.
  const output = outputItems(turn.runId, reply);
  const remember = () => {
    if (!parsed.echo.store && !held) return;
    const kept = withStoredFiles(input.messages, built.slice(instructions.length + history.length));
    const added = kept.filter((m) => m.role !== 'system' && m.role !== 'developer');
    const turnMessages = [...added, ...replyMessages(reply)];
    if (!parsed.echo.store) {
      held!.set(turn.runId, identity.owner, [...history, ...turnMessages]);
      return;
    }
    // A stored response continuing a connection-held one keeps that history itself: its parent is
    // nowhere a later request could load it from. The link first: the in-memory store keeps the
    // message item with it.
    saveChain(state, turn.runId, {
      owner: identity.owner,
      parent: heldByConnection ? null : (request.previous_response_id ?? null),
      messages: heldByConnection ? [...history, ...turnMessages] : turnMessages,
    });
    saveItems(
      state,
      identity.owner,
      output.map((item) => ({ id: item.id, messages: itemMessages(item) })),
    );
  };
  if (reply.error && (!turn.stream || reply.error.afterChunks === undefined)) {
    finishRun(state, turn, reply, 'failed');
    throw scriptedError(reply.error);
  }
  const items = faultedItems(output, faults);
  if (!turn.stream) {
    finishRun(state, turn, reply, 'completed');
    remember();
    const at: ResourceState = {
      id: turn.runId,
      createdAt: turn.created,
      model: turn.model,
      status: finalStatus(reply),
      output: items,
      reply,
      error: null,
    };
    return {
      status: 200,
      headers: { 'content-type': JSON_CONTENT_TYPE },
      body: faults.badResponseObject
        ? JSON.stringify(spoiledResource(responseResource(parsed.echo, at)))
        : resourceJson(parsed.echo, at),
    };
  }
  return streamResponse(ctx, state, turn, reply, items, parsed.echo, remember, delayMs);
}

/** The `error` event's fields: the standard's nested payload and the same fields flat. */
function errorFields(code: string, message: string, status = 500): Record<string, unknown> {
  const type = typeForStatus(status);
  return { error: { type, code, message, param: null }, code, message, param: null };
}

function streamResponse(
  ctx: RequestContext,
  state: ServerState,
  turn: Turn,
  reply: Reply,
  items: OutputItem[],
  echo: ResponseEcho,
  remember: () => void,
  delayMs: number,
): OutboundResponse {
  const { faults } = ctx;
  const sequence = new EventSequence(faults);
  const resourceAt = (
    status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
    error: { code: string; message: string } | null = null,
    id = turn.runId,
  ): ResourceState => ({
    id,
    createdAt: turn.created,
    model: turn.model,
    status,
    output: status === 'in_progress' || status === 'failed' ? [] : items,
    reply: status === 'failed' ? null : reply,
    error,
  });
  const at = (status: 'failed', error: { code: string; message: string }) =>
    responseResource(echo, resourceAt(status, error));
  let failure = { code: faults.code ?? 'server_error', message: 'The stream failed.' };
  const scripted = reply.error ? scriptedErrorBody(reply.error) : null;
  const scriptedCode = (scripted as { error?: { code?: unknown } } | null)?.error?.code ?? null;
  const progress = wantsProgress(ctx);
  const events = responseEvents(reply, items, {
    sequence,
    faults,
    joinDeltas: () => !progress && pump.framesJoinable,
    openingJson: () => resourceJson(echo, resourceAt('in_progress')),
    terminal: () => {
      const status = finalStatus(reply);
      // The changing-response-id fault: the terminal resource names another response.
      const id = faults.changingResponseId ? `${turn.runId}_changed` : turn.runId;
      return { type: `response.${status}`, json: resourceJson(echo, resourceAt(status, null, id)) };
    },
    scriptedFailure: () => {
      const code = typeof scriptedCode === 'string' ? scriptedCode : 'server_error';
      const message = `Scripted error (HTTP ${reply.error!.status}).`;
      return {
        error: errorFields(code, message, reply.error!.status),
        response: at('failed', { code, message }),
      };
    },
  });
  const frames = progress
    ? withResponseProgress(events, {
        id: turn.runId,
        chunks: deltaCount(reply, items),
        backwards: faults.progressBackwards === true,
      })
    : events;
  const pump = new FramePump(frames, {
    delayMs,
    faults,
    // The terminal event of a failed stream: built when it is sent, so its sequence number follows. A
    // method, not a getter: an object literal with an accessor gets a hidden class of its own each
    // time, and that class (never in the young generation) kept the whole stream alive through every
    // minor garbage collection until the next full one.
    doneFrame: () => eventText(sequence, 'response.failed', { response: at('failed', failure) }),
    errorFrame: () => {
      sequence.giveBack();
      failure = {
        code: faults.code ?? 'server_error',
        message: `Injected fault: the stream failed after ${faults.errorFrameAfter} chunks.`,
      };
      return eventText(sequence, 'error', errorFields(failure.code, failure.message));
    },
    malformedFrame: () => {
      sequence.giveBack();
      failure = {
        code: faults.code ?? 'server_error',
        message: `Injected fault: a malformed event after ${faults.malformedChunkAfter} chunks.`,
      };
      return malformedEventText(sequence);
    },
    failureFrame: (error) => {
      failure = {
        code: 'server_error',
        message: `The stream failed: ${error instanceof Error ? error.message : String(error)}`,
      };
      return eventText(sequence, 'error', errorFields(failure.code, failure.message));
    },
    onEnd: (end) => {
      const outcome = end === 'delivered' ? (reply.error ? 'failed' : 'completed') : end;
      finishRun(state, turn, reply, outcome);
      if (outcome === 'completed') remember();
    },
  });
  const headers = faults.wrongContentType
    ? { ...STREAM_HEADERS, 'content-type': JSON_CONTENT_TYPE }
    : { ...STREAM_HEADERS };
  return { status: 200, headers, body: pump };
}

/** Progress events only when the request carries the dialect's progress header (as on chat). */
function wantsProgress(ctx: RequestContext): boolean {
  const progressHeader = ctx.state.dialect.progress;
  return (
    !ctx.faults.noProgress &&
    progressHeader !== null &&
    ctx.request.header(progressHeader.header)?.trim().toLowerCase() === progressHeader.enabledValue
  );
}

/** How many delta events the stream carries: the text pieces it sends and each call's argument fragments. */
function deltaCount(reply: Reply, items: readonly OutputItem[]): number {
  let count = 0;
  for (const item of items) {
    if (item.type === 'message') count += Math.min(reply.pieces.length, reply.error?.afterChunks ?? Infinity);
    if (item.type === 'function_call') count += splitArguments(item.arguments).length;
  }
  return count;
}

/** A stream that only says the turn failed before it began: created, then failed with the error's code. */
function streamedFailure(runId: string, parsed: ParsedResponsesRequest, error: HttpError): OutboundResponse {
  const sequence = new EventSequence();
  const base = {
    id: runId,
    createdAt: Math.floor(Date.now() / 1000),
    model: parsed.request.model ?? '',
    output: [],
    reply: null,
  };
  const created = eventText(sequence, 'response.created', {
    response: responseResource(parsed.echo, { ...base, status: 'in_progress', error: null }),
  });
  const failed = eventText(sequence, 'response.failed', {
    response: responseResource(parsed.echo, {
      ...base,
      status: 'failed',
      error: { code: error.code ?? 'model_not_found', message: error.message },
    }),
  });
  return { status: 200, headers: { ...STREAM_HEADERS }, body: created + failed };
}
