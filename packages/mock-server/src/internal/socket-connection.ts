import { ERROR_CODES, ERROR_TYPES } from '@threadline/protocol';
import { ConnectionResponseCache } from '../routes/responses/connection-cache';
import type { MockServer } from '../server';
import { type FrameData, FramePump } from '../stream/pump';
import {
  badMessage,
  bodyText,
  checkMessage,
  errorOf,
  MAX_QUEUED_MESSAGES,
  parseJson,
  sseField,
  turnRequest,
  type UpgradeHeaders,
  withStreamId,
} from './socket-message';
import type { OutboundResponse } from './wire';

/** Frames sent but not yet written to the socket before the stream waits (backpressure). */
const MAX_UNWRITTEN_FRAMES = 64;

const decoder = new TextDecoder();

/** What a socket adapter (`ws` on Node, Bun's own) gives the connection: one open WebSocket. */
export interface SocketLink {
  /** Sends one text frame; `onWritten` runs once the socket took it (for backpressure). */
  send(text: string, onWritten?: () => void): void;
  close(code: number, reason: string): void;
  /** Breaks the connection at once (the drop fault). */
  terminate(): void;
}

/** The adapter's calls into a connection: each client message, and the socket's close. */
export interface SocketConnection {
  /** A text message; `null` for a binary one. */
  message(text: string | null): void;
  closed(): void;
}

/**
 * One connection, transport-neutral: its messages are served one turn at a time, in the order they came.
 * Each `response.create` becomes the same POST the HTTP door takes (with `stream: true`) through the
 * server core, so the socket carries exactly the SSE stream's events, one JSON text frame each.
 */
export function openConnection(
  server: MockServer,
  link: SocketLink,
  headers: UpgradeHeaders,
): SocketConnection {
  const held = new ConnectionResponseCache();
  const queue: string[] = [];
  const onClose = new Set<() => void>();
  let running = false;
  let closed = false;
  let current: { abort: AbortController; pump: FramePump | null } | null = null;

  const send = (message: Record<string, unknown>) => {
    if (!closed) link.send(JSON.stringify(message));
  };
  const sendError = (status: number, error: Record<string, unknown>, streamId?: string) =>
    send({ type: 'error', status, error, ...(streamId === undefined ? {} : { stream_id: streamId }) });

  async function drain(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (!closed && queue.length > 0) {
        await serveMessage(queue.shift()!).catch((error: unknown) => {
          // The core maps every error to an answer; reaching here means this adapter failed.
          const message = `The WebSocket turn failed: ${error instanceof Error ? error.message : String(error)}`;
          sendError(500, { type: ERROR_TYPES.server, code: ERROR_CODES.serverError, message, param: null });
        });
      }
    } finally {
      running = false;
    }
  }

  async function serveMessage(text: string): Promise<void> {
    const checked = checkMessage(text);
    if ('error' in checked) {
      sendError(400, checked.error, checked.streamId);
      return;
    }
    const { body, streamId, previousId } = checked;
    const abort = new AbortController();
    current = { abort, pump: null };
    const evict = () => {
      if (previousId !== null) held.evict(previousId);
    };
    try {
      const out = await server.handle(turnRequest(headers, body, abort.signal, held));
      if (out.status >= 400) {
        evict();
        sendError(out.status, errorOf(out.status, parseJson(bodyText(out.body))), streamId);
        return;
      }
      const failed = await relay(out, streamId, (pump) => {
        if (current) current.pump = pump;
      });
      if (failed) evict();
    } finally {
      current = null;
    }
  }

  /**
   * Sends every SSE frame of the answer as one text frame (its `data`, with `stream_id` echoed when the
   * message had one). Resolves when the stream is over; true when it ended failed.
   */
  function relay(
    out: OutboundResponse,
    streamId: string | undefined,
    onPump: (pump: FramePump) => void,
  ): Promise<boolean> {
    let failed = false;
    let pending = '';
    const forward = (data: FrameData, onSent?: () => void, onWritten?: () => void) => {
      pending += typeof data === 'string' ? data : decoder.decode(data, { stream: true });
      for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
        const frame = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const event = sseField(frame, 'event');
        if (event === 'response.failed' || event === 'error') failed = true;
        const data = sseField(frame, 'data');
        if (data === null || closed) continue;
        onSent?.();
        link.send(streamId === undefined ? data : withStreamId(data, streamId), onWritten);
      }
    };
    const body = out.body;
    if (!(body instanceof FramePump)) {
      if (body !== null) forward(body);
      return Promise.resolve(failed);
    }
    if (closed) {
      // The socket closed while the turn was being decided: its stream is cancelled unsent.
      body.cancel();
      return Promise.resolve(failed);
    }
    onPump(body);
    return new Promise((resolve) => {
      let unwritten = 0;
      let waiting = false;
      const written = () => {
        unwritten--;
        if (waiting && unwritten === 0) {
          waiting = false;
          body.resume();
        }
      };
      const finish = () => resolve(failed);
      onClose.add(finish);
      body.attach({
        write: (data) => {
          forward(data, () => unwritten++, written);
          waiting = unwritten >= MAX_UNWRITTEN_FRAMES;
          return !waiting;
        },
        end: () => {
          onClose.delete(finish);
          finish();
        },
        // The drop fault: the connection breaks mid-stream, as an HTTP stream's socket does.
        destroy: () => link.terminate(),
      });
      if (body.ended) finish();
    });
  }

  return {
    message(text) {
      if (closed) return;
      if (text === null) {
        sendError(400, badMessage(ERROR_CODES.invalidValue, null, 'Messages are JSON text frames.'));
        return;
      }
      if (queue.length >= MAX_QUEUED_MESSAGES) {
        link.close(1008, 'too many messages waiting');
        return;
      }
      queue.push(text);
      void drain();
    },
    closed() {
      if (closed) return;
      closed = true;
      queue.length = 0;
      // Closing the socket cancels the running turn, as a dropped HTTP stream does.
      current?.abort.abort();
      current?.pump?.cancel();
      for (const finish of onClose) finish();
      onClose.clear();
    },
  };
}
