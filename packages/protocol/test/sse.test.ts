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

describe('SSE decoding edge cases', () => {
  const decodeAll = (parts: string[]) => collect(streamOf(parts));

  it('accepts CR-only line endings, and a CRLF split between two chunks', async () => {
    expect(await decodeAll(['data: a\r\rdata: b\r', '\n\r\n'])).toEqual([{ data: 'a' }, { data: 'b' }]);
    expect(await decodeAll(['data: x\r', '\ndata: y\r\n\r\n'])).toEqual([{ data: 'x\ny' }]);
  });

  it('reads fields without a space or without a colon, and ignores comments, retry and unknown fields', async () => {
    const frames = await decodeAll([':c\nretry: 10\nfoo: bar\ndata:no-space\ndata\nevent:tick\nid: 4\n\n']);
    expect(frames).toEqual([{ data: 'no-space\n', event: 'tick', id: '4' }]);
  });

  it('does not dispatch a frame without data, and resets event and id after each frame', async () => {
    const frames = await decodeAll(['event: lonely\n\n', 'id: 1\nevent: a\ndata: 1\n\ndata: 2\n\n']);
    expect(frames).toEqual([{ data: '1', event: 'a', id: '1' }, { data: '2' }]);
  });

  it('gives the same frames however the bytes are split', async () => {
    const wire = [
      'data: {"a":"é"}\r\n\r\n',
      'event: progress\ndata: {"f":0.5}\n\n',
      ': ping\r\r',
      'data: line1\rdata: line2\r\r',
      DONE_FRAME,
    ].join('');
    const expected = await decodeAll([wire]);
    expect(expected).toHaveLength(4);
    const bytes = new TextEncoder().encode(wire);
    for (const size of [1, 2, 5, 7, 13]) {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
          controller.close();
        },
      });
      expect(await collect(stream)).toEqual(expected);
    }
  });

  it('keeps a line longer than one chunk whole', async () => {
    const long = 'x'.repeat(100_000);
    const parts = [`data: ${long.slice(0, 30_000)}`, long.slice(30_000, 70_000), `${long.slice(70_000)}\n\n`];
    expect(await decodeAll(parts)).toEqual([{ data: long }]);
  });
});
