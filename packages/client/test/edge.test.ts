import { createContext, Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './support/bundle';
import { realServer } from './support/server';

// The web-standard globals an edge runtime offers (the WinterCG common set), and nothing else.
const EDGE_GLOBALS = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
  'TextEncoder',
  'TextDecoder',
  'TextEncoderStream',
  'TextDecoderStream',
  'AbortController',
  'AbortSignal',
  'DOMException',
  'Event',
  'EventTarget',
  'URL',
  'URLSearchParams',
  'Blob',
  'File',
  'FormData',
  'crypto',
  'atob',
  'btoa',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'queueMicrotask',
  'structuredClone',
  'performance',
  'console',
] as const;

describe('an edge runtime (a bare context with only web-standard globals)', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let code: string;
  beforeAll(async () => {
    ref = await realServer();
    code = await bundleFixture('edge-smoke.ts', { format: 'iife', globalName: 'edgeSmoke' });
  });
  afterAll(() => ref.close());

  it('streams, raises typed errors, times out a stall, stores a part and uploads', async () => {
    const globals: Record<string, unknown> = {};
    for (const name of EDGE_GLOBALS) globals[name] = (globalThis as Record<string, unknown>)[name];
    const context = createContext(globals);
    new Script(code).runInContext(context);
    expect(
      new Script('typeof process + typeof Buffer + typeof require + typeof window').runInContext(context),
    ).toBe('undefinedundefinedundefinedundefined');
    const smoke = (context as { edgeSmoke: { run(url: string): Promise<Record<string, unknown>> } })
      .edgeSmoke;
    const result = await smoke.run(ref.url);
    expect(result).toEqual({
      text: 'You said: edge check',
      usage: expect.any(Number),
      notFound: true,
      idle: true,
      stored: '137,80,78,71,13,10,26,10',
      ingested: 'success',
    });
  });
});
