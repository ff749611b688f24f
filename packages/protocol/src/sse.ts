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
 * An incremental SSE parser (the WHATWG event-stream rules a Chat Completions client needs): CR, LF and
 * CRLF line endings, even split across chunks; `data` lines joined with `\n`; `event` and `id` per frame;
 * comments and unknown fields ignored; a frame without data is not dispatched. `retry` is ignored since
 * these streams are never reconnected. Written here rather than taken from a dependency because it sits
 * on every client's hot path and in every client bundle.
 */
export function createSSEDecoder(): { feed(text: string): SSEFrame[]; end(): SSEFrame[] } {
  let rest = '';
  let data = '';
  let hasData = false;
  let event: string | undefined;
  let id: string | undefined;
  let skipLF = false;
  let out: SSEFrame[] = [];

  const line = (text: string) => {
    if (text === '') {
      if (hasData) {
        const frame: SSEFrame = { data };
        if (event) frame.event = event;
        if (id) frame.id = id;
        out.push(frame);
      }
      data = '';
      hasData = false;
      event = id = undefined;
      return;
    }
    const colon = text.indexOf(':');
    if (colon === 0) return;
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
    if (field === 'data') {
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
    } else if (field === 'event') event = value || undefined;
    else if (field === 'id' && !value.includes('\0')) id = value || undefined;
  };

  const feed = (chunk: string): SSEFrame[] => {
    const text = rest + chunk;
    let start = 0;
    if (skipLF && text.charCodeAt(0) === 10) start = 1;
    skipLF = false;
    let cr = text.indexOf('\r', start);
    let lf = text.indexOf('\n', start);
    while (cr !== -1 || lf !== -1) {
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        next = lf === cr + 1 ? cr + 2 : cr + 1;
        // A CR ending this chunk may be the first half of a CRLF: drop an LF that opens the next one.
        if (cr === text.length - 1) skipLF = true;
      } else {
        end = lf;
        next = lf + 1;
      }
      line(text.slice(start, end));
      start = next;
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    }
    rest = start === 0 ? text : text.slice(start);
    const frames = out;
    out = [];
    return frames;
  };

  // A last frame missing only its blank line still counts (EventSource would drop it): the caller's
  // completeness check, not the framing, decides whether the stream ended well.
  return { feed, end: () => feed('\n\n') };
}

/**
 * Decodes a byte stream of server-sent events into frames, in order. Handles frames split across
 * network chunks and any line ending. Cancels the body when the consumer stops early.
 */
export async function* decodeSSE(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<SSEFrame, void, undefined> {
  const parser = createSSEDecoder();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const frame of parser.feed(decoder.decode(value, { stream: true }))) yield frame;
    }
    const last = parser.feed(decoder.decode());
    for (const frame of last.concat(parser.end())) yield frame;
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
