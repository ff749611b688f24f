import { createContext, Script } from 'node:vm';

// The web-standard globals an edge runtime offers (the WinterCG common set), and nothing else. Shared
// by the reference server's edge test and the client's (which imports it from here).
export const EDGE_GLOBALS = [
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

/** Runs `code` (an IIFE bundle) in a fresh context holding only EDGE_GLOBALS; returns that context. */
export function runInEdgeContext(code: string): Record<string, unknown> {
  const globals: Record<string, unknown> = {};
  for (const name of EDGE_GLOBALS) globals[name] = (globalThis as Record<string, unknown>)[name];
  const context = createContext(globals);
  new Script(code).runInContext(context);
  return context as Record<string, unknown>;
}

/** What `typeof` says of node's own globals inside an edge context (all should be "undefined"). */
export function nodeGlobalsIn(context: Record<string, unknown>): string {
  return new Script('[typeof process, typeof Buffer, typeof require, typeof window].join()').runInContext(
    context as ReturnType<typeof createContext>,
  );
}
