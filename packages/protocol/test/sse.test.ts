import { describe, expect, it } from 'vitest';
import { DONE_FRAME, decodeSSE, encodeSSE, isDone, type SSEFrame } from '../src/index';

function streamOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<SSEFrame[]> {
  const frames: SSEFrame[] = [];
  for await (const frame of decodeSSE(stream)) frames.push(frame);
  return frames;
}

describe('SSE framing', () => {
  it('encodes JSON data frames and named events', () => {
    expect(encodeSSE({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(encodeSSE({ stage: 'x' }, { event: 'progress', id: '7' })).toBe(
      'event: progress\nid: 7\ndata: {"stage":"x"}\n\n',
    );
    expect(encodeSSE('line one\nline two')).toBe('data: line one\ndata: line two\n\n');
  });

  it('decodes frames split anywhere across chunks, including inside multi-byte characters', async () => {
    const wire = `${encodeSSE({ text: 'héllo ✓' })}${encodeSSE({ n: 2 }, { event: 'progress' })}${DONE_FRAME}`;
    const bytes = new TextEncoder().encode(wire);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const frames = await collect(stream);
    expect(frames).toEqual([
      { data: '{"text":"héllo ✓"}' },
      { data: '{"n":2}', event: 'progress' },
      { data: '[DONE]' },
    ]);
    expect(isDone(frames[2]!)).toBe(true);
  });

  it('handles CRLF line endings and comments', async () => {
    const frames = await collect(streamOf([': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\n']));
    expect(frames).toEqual([{ data: '{"a":1}' }]);
  });

  it('joins multi-line data and still reports a last frame missing its blank line', async () => {
    const frames = await collect(streamOf(['data: a\ndata: b\n\n', 'data: [DONE]']));
    expect(frames.map((f) => f.data)).toEqual(['a\nb', '[DONE]']);
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: {"x":1}\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const _frame of decodeSSE(stream)) break;
    expect(cancelled).toBe(true);
  });
});
