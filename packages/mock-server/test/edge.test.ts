import { fileURLToPath } from 'node:url';
import { createContext, Script } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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

describe('the reference server core in an edge runtime (only web-standard globals)', () => {
  it('answers, streams, remembers, pauses for approval, ingests and stores files', async () => {
    const bundled = await build({
      entryPoints: [here('fixtures/edge-server.ts')],
      bundle: true,
      write: false,
      platform: 'neutral',
      target: 'es2022',
      format: 'iife',
      globalName: 'edgeServer',
      conditions: ['@threadline/source'],
      mainFields: ['module', 'main'],
      // Server-side file reads (upload dir, buckets, the demo document, PDF inflate) and --db load node:
      // modules on demand; an edge deployment never reaches them, so they stay unresolved dynamic imports.
      external: ['node:*'],
      logLevel: 'silent',
    });
    const code = bundled.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(/);
    // node:sqlite (for --db) is reached through process.getBuiltinModule, also only on demand.
    const nodeRefs = code.match(/.{0,20}["']node:[a-z/]+["']/g) ?? [];
    expect(nodeRefs.length).toBeGreaterThan(0);
    for (const ref of nodeRefs) expect(ref).toMatch(/(import|getBuiltinModule\?\.)\(\s*["']node:/);
    const globals: Record<string, unknown> = {};
    for (const name of EDGE_GLOBALS) globals[name] = (globalThis as Record<string, unknown>)[name];
    const context = createContext(globals);
    new Script(code).runInContext(context);
    expect(new Script('typeof process + typeof Buffer + typeof require').runInContext(context)).toBe(
      'undefinedundefinedundefined',
    );
    const server = (context as { edgeServer: { run(): Promise<Record<string, unknown>> } }).edgeServer;
    expect(await server.run()).toEqual({
      text: 'You said: edge hello',
      streamedDone: true,
      recalled: true,
      paused: 'delete_draft',
      ingested: 'success',
      vault: true,
      stored: '137,80,78,71,13,10,26,10',
    });
  });
});
