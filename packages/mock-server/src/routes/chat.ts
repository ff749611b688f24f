import { DONE_FRAME, formatErrorBody, SSE_CONTENT_TYPE } from '@threadline/protocol';
import { authenticate, resolveIdentity } from '../auth/identity';
import type { RequestContext } from '../context';
import { completionJson } from '../engine/completion';
import { decideReply, finishRun, startTurn } from '../engine/turn';
import type { Reply, ScriptedError, Turn } from '../engine/types';
import { noteBody, readJsonBody } from '../internal/body';
import { codeForStatus, HttpError, typeForStatus } from '../internal/errors';
import { JSON_CONTENT_TYPE, type OutboundResponse } from '../internal/wire';
import { chatFrames, errorFrameText, malformedFrameText } from '../stream/chunks';
import { FramePump } from '../stream/pump';
import { chunkDelay, parseChatRequest } from './chat-request';
import { chatTurnRequest } from './chat-turn';

const STREAM_HEADERS = {
  'content-type': SSE_CONTENT_TYPE,
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** POST /v1/chat/completions: authenticate, validate, run the turn, answer as JSON or SSE. */
export async function chatCompletions(ctx: RequestContext): Promise<OutboundResponse> {
  const { state, request: inbound, faults } = ctx;
  const principal = authenticate(state.config, inbound, faults);
  // The body-limit fault moves the limit, so a suite can catch a server whose limit is not 32 MiB.
  const read = await readJsonBody(inbound, faults.bodyLimit);
  noteBody(ctx, read);
  const { value } = read;
  const request = parseChatRequest(value, faults);
  const identity = resolveIdentity(state.config, principal, inbound, {
    user: request.user,
    requireAgent: true,
  });
  const delayMs = request.stream ? chunkDelay(inbound, state.config.chunkDelayMs) : 0;

  let turn: Turn;
  try {
    const started = startTurn(state, {
      request: chatTurnRequest(request),
      identity,
      faults,
      header: (name) => inbound.header(name),
      onRun: (runId) => {
        ctx.runId = runId;
      },
    });
    turn = started instanceof Promise ? await started : started;
  } catch (error) {
    // Once a stream is asked for, an unknown model is told in the stream: error frame, then [DONE].
    if (request.stream && error instanceof HttpError && error.modelNotFound) return streamedError(ctx, error);
    throw error;
  }

  let reply: Reply;
  try {
    const decided = decideReply(state, turn);
    reply = decided instanceof Promise ? await decided : decided;
  } catch (error) {
    finishRun(state, turn, null, 'failed');
    throw error;
  }
  if (reply.error && (!turn.stream || reply.error.afterChunks === undefined)) {
    finishRun(state, turn, reply, 'failed');
    throw scriptedError(reply.error);
  }
  if (!turn.stream) {
    finishRun(state, turn, reply, 'completed');
    return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: completionJson(turn, reply) };
  }
  return streamReply(ctx, turn, reply, delayMs, request.stream_options?.include_usage === true);
}

function streamReply(
  ctx: RequestContext,
  turn: Turn,
  reply: Reply,
  delayMs: number,
  includeUsage: boolean,
): OutboundResponse {
  const { state, faults } = ctx;
  const progressHeader = state.dialect.progress;
  const progress =
    !faults.noProgress &&
    progressHeader !== null &&
    ctx.request.header(progressHeader.header)?.trim().toLowerCase() === progressHeader.enabledValue;
  const frames = chatFrames(reply, {
    id: turn.runId,
    created: turn.created,
    model: turn.model,
    includeUsage: includeUsage && !faults.noUsageChunk,
    progress,
    changingIds: faults.changingIds === true,
    usageChunkId: faults.usageChunkId === true,
    noRoleOnToolStream: faults.noRoleOnToolStream === true,
    noRole: faults.noRole === true,
    doubleFinish: faults.doubleFinish === true,
    framesAfterDone: faults.framesAfterDone === true,
    progressBackwards: faults.progressBackwards === true,
    scriptedErrorFrame: reply.error ? errorFrameText(scriptedErrorBody(reply.error)) : null,
    joinDeltas: () => !progress && pump.framesJoinable,
  });
  const pump = new FramePump(frames, {
    delayMs,
    faults,
    doneFrame: () => DONE_FRAME,
    errorFrame: () =>
      errorFrameText(
        formatErrorBody({
          message: `Injected fault: the stream failed after ${faults.errorFrameAfter} chunks.`,
          type: typeForStatus(500),
          code: faults.code ?? 'server_error',
        }),
      ),
    malformedFrame: () => malformedFrameText(turn.runId),
    failureFrame: (error) =>
      errorFrameText(
        formatErrorBody({
          message: `The stream failed: ${error instanceof Error ? error.message : String(error)}`,
          type: typeForStatus(500),
          code: 'server_error',
        }),
      ),
    onEnd: (end) => {
      const outcome = end === 'delivered' ? (reply.error ? 'failed' : 'completed') : end;
      finishRun(state, turn, reply, outcome);
    },
  });
  const headers = faults.wrongContentType
    ? { ...STREAM_HEADERS, 'content-type': JSON_CONTENT_TYPE }
    : { ...STREAM_HEADERS };
  return { status: 200, headers, body: pump };
}

/** The body of a scripted error: the fixture's own, or a typed error for its status. */
export function scriptedErrorBody(error: ScriptedError): unknown {
  if (error.body !== undefined) return error.body;
  return formatErrorBody({
    message: `Scripted error (HTTP ${error.status}).`,
    type: typeForStatus(error.status),
    code: codeForStatus(error.status),
  });
}

export function scriptedError(error: ScriptedError): HttpError {
  return new HttpError({
    status: error.status,
    message: `Scripted error (HTTP ${error.status}).`,
    headers: error.headers ?? {},
    ...(error.body !== undefined ? { rawBody: error.body } : {}),
  });
}

/** A stream that only says the turn failed: the error frame, then [DONE]. */
function streamedError(ctx: RequestContext, error: HttpError): OutboundResponse {
  const { dialect } = ctx.state;
  // In a stream the error always travels under an `error` key, whatever the dialect's flat shape.
  const body = error.body('nested', dialect.modelNotFoundShape);
  return { status: 200, headers: { ...STREAM_HEADERS }, body: errorFrameText(body) + DONE_FRAME };
}
