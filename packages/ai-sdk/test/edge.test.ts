import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGlobalsIn, runInEdgeContext } from '../../mock-server/test/support/edge';
import { realServer } from './support/server';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe('an edge runtime (a bare context with only web-standard globals)', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let code: string;
  beforeAll(async () => {
    ref = await realServer();
    const bundled = await build({
      entryPoints: [here('./support/edge-app.ts')],
      bundle: true,
      write: false,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      // What Next.js uses for its edge runtime.
      conditions: ['edge-light', 'worker', 'browser', 'import'],
      target: 'es2022',
      format: 'iife',
      globalName: 'edgeApp',
      alias: { '@threadline/protocol': here('../../protocol/src/index.ts') },
      // `ai` reaches node built-ins only through its gateway provider's token helper, which this app
      // never calls; edge bundlers stub them the same way. Empty stubs, so a real use would fail loudly.
      plugins: [
        {
          name: 'no-node-builtins',
          setup(b) {
            b.onResolve({ filter: /^(node:)?(path|fs|os|crypto)$/ }, (args) => ({
              path: args.path,
              namespace: 'stub',
            }));
            b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
              contents: 'module.exports = {};',
              loader: 'js',
            }));
          },
        },
      ],
      logLevel: 'silent',
    });
    code = bundled.outputFiles[0]!.text;
  }, 60_000);
  afterAll(() => ref?.close());

  it('generateText, streamText, an approval and a stream error work with the provider bundled for the edge', async () => {
    const context = runInEdgeContext(code);
    expect(nodeGlobalsIn(context)).toBe('undefined,undefined,undefined,undefined');
    const app = (context as { edgeApp: { run(url: string): Promise<Record<string, unknown>> } }).edgeApp;
    expect(await app.run(ref.url)).toEqual({
      text: 'You said: edge check',
      streamedText: 'You said: edge stream',
      approved: { deleted: true, draft_id: 'Q3-plan' },
      errors: ['server_error'],
    });
  });
});
