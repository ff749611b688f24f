import { createParser } from 'eventsource-parser';

/** The data of the frame that ends every Chat Completions stream. */
export const DONE = '[DONE]';
/** `data: [DONE]` as it goes on the wire. */
export const DONE_FRAME = 'data: [DONE]\n\n';
export const SSE_CONTENT_TYPE = 'text/event-stream';

/** One server-sent event. `event` is absent for plain `data:` frames (all chunks). */
export interface SSEFrame {
  data: string;
  event?: string;
  id?: string;
}

/** Encodes one frame. Objects are JSON-encoded; multi-line text becomes several `data:` lines. */
export function encodeSSE(data: unknown, options: { event?: string; id?: string } = {}): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  let out = '';
  if (options.event) out += `event: ${options.event}\n`;
  if (options.id) out += `id: ${options.id}\n`;
  // Split only when needed: JSON.stringify never emits a raw newline, so the common path is one line.
  if (text.includes('\n') || text.includes('\r')) {
    for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  } else {
    out += `data: ${text}\n`;
  }
  return `${out}\n`;
}

export const isDone = (frame: SSEFrame): boolean => frame.data === DONE;

/**
 * Decodes a byte stream of server-sent events into frames, in order. Handles frames split across
 * network chunks and any line ending. Cancels the body when the consumer stops early.
 */
export async function* decodeSSE(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SSEFrame, void, undefined> {
  const queue: SSEFrame[] = [];
  const parser = createParser({
    onEvent(event) {
      const frame: SSEFrame = { data: event.data };
      if (event.event) frame.event = event.event;
      if (event.id) frame.id = event.id;
      queue.push(frame);
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
    }
    // A last frame missing only its blank line still counts (EventSource would drop it): the caller's
    // completeness check, not the framing, decides whether the stream ended well.
    parser.feed(`${decoder.decode()}\n\n`);
    while (queue.length > 0) yield queue.shift()!;
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
