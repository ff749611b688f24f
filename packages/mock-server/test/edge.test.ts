import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { nodeGlobalsIn, runInEdgeContext } from './support/edge';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

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
    const context = runInEdgeContext(code);
    expect(nodeGlobalsIn(context)).toBe('undefined,undefined,undefined,undefined');
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
