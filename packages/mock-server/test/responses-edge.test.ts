import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { nodeGlobalsIn, runInEdgeContext } from './support/edge';

describe('compaction in an edge runtime (no Buffer)', () => {
  it('a compaction issued there is read back there, and an edited one is refused', async () => {
    const bundled = await build({
      entryPoints: [fileURLToPath(new URL('fixtures/edge-compact.ts', import.meta.url))],
      bundle: true,
      write: false,
      platform: 'neutral',
      target: 'es2022',
      format: 'iife',
      globalName: 'edgeCompact',
      conditions: ['@threadline/source'],
      mainFields: ['module', 'main'],
      external: ['node:*'],
      logLevel: 'silent',
    });
    const context = runInEdgeContext(bundled.outputFiles[0]!.text);
    expect(nodeGlobalsIn(context)).toBe('undefined,undefined,undefined,undefined');
    const edge = (context as { edgeCompact: { run(): Promise<Record<string, unknown>> } }).edgeCompact;
    const result = await edge.run();
    expect(result).toMatchObject({ format: 'tlc1', continued: 'completed', tampered: 400 });
    // The compacted message is in the prompt: more than the new message alone would cost.
    expect(result.promptTokens as number).toBeGreaterThan(result.bareTokens as number);
  });
});
