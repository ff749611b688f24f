import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { decodeSSE, type SSEFrame } from '../src/index';

// The decoder is our own (it sits on every client's hot path); this holds it to eventsource-parser, the
// reference the protocol names, on generated streams split at random places.

/** A small seeded generator, so a failure names a case that can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXT = ['a', 'Z', ' ', ':', '{', '"', '}', 'é', '✓', '0', 'data', 'event', ' x'];
const ENDINGS = ['\n', '\r\n', '\r'];

/** Lines of the kinds a server may send, each with its own line ending; every frame ends in a blank line. */
function wire(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const text = () => Array.from({ length: Math.floor(next() * 8) }, () => pick(TEXT)).join('');
  const lines: Array<() => string> = [
    () => `data: ${text()}`,
    () => `data:${text()}`,
    () => 'data',
    () => `event: ${pick(['progress', 'tick', ''])}`,
    () => `id: ${Math.floor(next() * 100)}`,
    () => `:${text()}`,
    () => 'retry: 250',
    () => `unknown: ${text()}`,
  ];
  let out = '';
  const frames = 1 + Math.floor(next() * 6);
  for (let f = 0; f < frames; f++) {
    const count = Math.floor(next() * 4);
    for (let l = 0; l < count; l++) out += pick(lines)() + pick(ENDINGS);
    // The blank line must not merge with a CR before it into one CRLF, and must not end the stream in
    // a lone CR (which a CRLF could still follow). An unterminated last frame is where the two differ on
    // purpose: ours dispatches it (sse.test.ts).
    const last = f === frames - 1;
    out += out.endsWith('\r')
      ? pick(last ? ['\r\n'] : ['\r', '\r\n'])
      : pick(last ? ['\n', '\r\n'] : ENDINGS);
  }
  return out;
}

function pieces(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(next() * 12);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

async function ours(parts: Uint8Array[]): Promise<SSEFrame[]> {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
  const frames: SSEFrame[] = [];
  for await (const frame of decodeSSE(stream)) frames.push(frame);
  return frames;
}

function reference(parts: Uint8Array[]): SSEFrame[] {
  const frames: SSEFrame[] = [];
  const parser = createParser({
    onEvent: ({ data, event, id }) => {
      const frame: SSEFrame = { data };
      if (event) frame.event = event;
      if (id) frame.id = id;
      frames.push(frame);
    },
  });
  const decoder = new TextDecoder();
  for (const part of parts) parser.feed(decoder.decode(part, { stream: true }));
  parser.feed(decoder.decode());
  return frames;
}

describe('decodeSSE agrees with eventsource-parser', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('generated streams, seed %i', async (seed) => {
    const next = random(seed);
    for (let round = 0; round < 10; round++) {
      const text = wire(next);
      const parts = pieces(new TextEncoder().encode(text), next);
      expect(await ours(parts), JSON.stringify(text)).toEqual(reference(parts));
    }
  });
});
