import { DONE_FRAME, encodeSSE } from '@threadline/protocol';
import { logprobsJson, SYSTEM_FINGERPRINT, usageJson } from '../engine/completion';
import type { Reply } from '../engine/types';
import { newRunId } from '../internal/ids';
import { quotedPieces } from '../model/tokens';
import { pieceEndings } from './piece-ends';
import type { Frame } from './pump';

export interface ChunkStreamOptions {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  /** Emit `event: progress` frames (the caller sent the dialect's progress header). */
  progress: boolean;
  /** The changing-ids fault: the second half of the chunks carries another id. */
  changingIds: boolean;
  /** The usage-chunk-id fault: the usage chunk carries another id. */
  usageChunkId?: boolean;
  /** The no-role-on-tool-stream fault: a first delta that is a tool call carries no role. */
  noRoleOnToolStream?: boolean;
  /** The no-role fault: a first delta that is text carries no role. */
  noRole?: boolean;
  /** The double-finish fault: the finish chunk is sent twice. */
  doubleFinish?: boolean;
  /** The frames-after-done fault: a chunk follows `[DONE]`. */
  framesAfterDone?: boolean;
  /** The progress-backwards fault: progress fractions decrease. */
  progressBackwards?: boolean;
  /** The terminal frame of a scripted mid-stream error (fixture `error.afterChunks`). */
  scriptedErrorFrame: string | null;
  /**
   * Whether to send the text chunks as one frame (asked once they are due): yes when nothing sees them
   * one by one (FramePump.framesJoinable, and no progress). The bytes are the same.
   */
  joinDeltas?: () => boolean;
}

/**
 * Frames are built from two precomputed halves around the delta, so a chunk costs one JSON.stringify of
 * its text piece and one encode: no object per chunk, no re-serialisation of the envelope.
 */
function envelope(id: string, created: number, model: string) {
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":`;
  return {
    head,
    deltaHead: `${head}[{"index":0,"delta":`,
    /** Between the delta and the chunk's `logprobs` value. */
    logprobsHead: ',"logprobs":',
    deltaTail: ',"finish_reason":null}]}\n\n',
  };
}

const chunk = (text: string): Frame => ({ kind: 'chunk', data: text });

/** A text chunk's end after its envelope, for a piece after the first: no role, no logprobs. */
const contentEnds = pieceEndings(
  (quoted) => `{"content":${quoted}},"logprobs":null,"finish_reason":null}]}\n\n`,
);

function progressFrame(id: string, stage: string, fraction: number): Frame {
  const data = {
    object: 'chat.completion.progress',
    id,
    stage,
    fraction: Math.round(fraction * 1000) / 1000,
  };
  return { kind: 'event', data: encodeSSE(data, { event: 'progress' }) };
}

/**
 * The SSE frames of one chat turn, produced lazily: role in the first delta, text pieces, tool call
 * deltas (index, id, type and name first, then argument fragments), one chunk with the finish reason,
 * the usage chunk (`choices: []`) when asked, then `[DONE]`. Progress events ride along when asked.
 */
export function* chatFrames(reply: Reply, options: ChunkStreamOptions): Generator<Frame, void, undefined> {
  const { id, created, model } = options;
  let env = envelope(id, created, model);
  const pieces = reply.pieces;
  const argPieces = reply.toolCalls.map((call) => splitArguments(call.arguments));
  const contentFrames =
    Math.max(reply.text === null ? 0 : 1, pieces.length) + argPieces.reduce((n, p) => n + 1 + p.length, 0);
  // With changing ids, everything from the middle of the stream on carries another run id.
  const switchAt = options.changingIds ? Math.max(1, Math.ceil((contentFrames + 1) / 2)) : -1;
  const progressAt = new Set([
    0,
    Math.floor(contentFrames / 4),
    Math.floor(contentFrames / 2),
    Math.floor((3 * contentFrames) / 4),
  ]);
  let sent = 0;
  const nextText = (delta: string, logprobs = 'null'): string => {
    if (sent === switchAt) env = envelope(newRunId(), created, model);
    sent++;
    return `${env.deltaHead}${delta}${env.logprobsHead}${logprobs}${env.deltaTail}`;
  };
  /** A chunk from its delta's remembered end (`contentEnds`): the same bytes as nextText gives. */
  const nextFrom = (end: string): string => {
    if (sent === switchAt) env = envelope(newRunId(), created, model);
    sent++;
    return `${env.deltaHead}${end}`;
  };
  const next = (delta: string, logprobs?: string): Frame => chunk(nextText(delta, logprobs));
  // With `logprobs: true`, each text chunk carries the entry of its one token.
  const tokenLogprobs = reply.logprobs?.content ?? null;
  const pieceLogprobs = (i: number) =>
    tokenLogprobs === null ? 'null' : logprobsJson({ content: tokenLogprobs[i] ? [tokenLogprobs[i]] : [] });
  // Progress goes before the chunk at each quarter of the content.
  const wantsProgress = () => options.progress && progressAt.has(sent);
  const progress = () => {
    const fraction = 0.1 + (0.8 * sent) / Math.max(1, contentFrames);
    return progressFrame(id, 'generating', options.progressBackwards ? 1 - fraction : fraction);
  };

  if (options.progress) yield progressFrame(id, 'queued', 0);
  let role = '"role":"assistant",';
  if (reply.text !== null) {
    if (options.noRole) role = '';
    if (pieces.length === 0) {
      if (wantsProgress()) yield progress();
      yield next(`{${role}"content":""}`, pieceLogprobs(-1));
      role = '';
    }
    const limit = reply.error?.afterChunks ?? pieces.length;
    let joined = '';
    const join = options.joinDeltas?.() === true;
    const quoted = quotedPieces(pieces);
    const ends = tokenLogprobs === null ? contentEnds(pieces) : null;
    for (let i = 0; i < pieces.length; i++) {
      if (i === limit) break;
      if (wantsProgress()) yield progress();
      const text =
        role === '' && ends !== null
          ? nextFrom(ends[i]!)
          : nextText(`{${role}"content":${quoted[i]}}`, pieceLogprobs(i));
      if (join) joined += text;
      else yield chunk(text);
      role = '';
    }
    if (joined !== '') yield chunk(joined);
    if (reply.error) {
      // A scripted failure: the error frame ends the stream, then [DONE].
      if (options.scriptedErrorFrame) yield { kind: 'error', data: options.scriptedErrorFrame };
      yield { kind: 'done', data: DONE_FRAME };
      return;
    }
  }
  for (let index = 0; index < reply.toolCalls.length; index++) {
    const call = reply.toolCalls[index]!;
    if (wantsProgress()) yield progress();
    const opening = `{"index":${index},"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}`;
    if (options.noRoleOnToolStream) role = '';
    yield next(`{${role ? `${role}"content":null,` : ''}"tool_calls":[${opening}]}`);
    role = '';
    for (const fragment of argPieces[index]!) {
      if (wantsProgress()) yield progress();
      yield next(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(fragment)}}}]}`);
    }
  }
  if (sent === switchAt) env = envelope(newRunId(), created, model);
  const finish = `${env.deltaHead}{},"logprobs":null,"finish_reason":"${reply.finishReason}"}],"stop_reason":"${reply.stopReason}"}\n\n`;
  yield chunk(finish);
  if (options.doubleFinish) yield chunk(finish);
  if (options.progress) yield progressFrame(id, 'done', 1);
  if (options.includeUsage) {
    if (options.usageChunkId) env = envelope(newRunId(), created, model);
    yield chunk(`${env.head}[],"usage":${usageJson(reply.usage)}}\n\n`);
  }
  yield { kind: 'done', data: DONE_FRAME };
  if (options.framesAfterDone)
    yield chunk(`${env.deltaHead}{"content":""}${env.logprobsHead}null${env.deltaTail}`);
}

/** Argument JSON in fragments of about 16 characters; their concatenation is the exact string. */
export function splitArguments(args: string): string[] {
  if (args === '') return [];
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 16) out.push(args.slice(i, i + 16));
  return out;
}

/** `data: <body>` for an error object (a terminal error frame). */
export function errorFrameText(body: unknown): string {
  return encodeSSE(body);
}

/** A frame whose data is cut-off JSON: what the malformed-chunk-after fault sends. */
export function malformedFrameText(id: string): string {
  return `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\n\n`;
}
