import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGlobalsIn, runInEdgeContext } from '../../mock-server/test/support/edge';
import { realServer } from './support/server';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

describe('the responses model in an edge runtime (a bare context with only web-standard globals)', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let code: string;
  beforeAll(async () => {
    ref = await realServer();
    const bundled = await build({
      entryPoints: [here('./support/responses-edge-app.ts')],
      bundle: true,
      write: false,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['edge-light', 'worker', 'browser', 'import'],
      target: 'es2022',
      format: 'iife',
      globalName: 'edgeApp',
      alias: { '@threadline/protocol': here('../../protocol/src/index.ts') },
      // As in edge.test.ts: `ai`'s gateway token helper is the only reach for node built-ins, never called.
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

  it('generateText, a chained stream with a server tool, an approval and a failed stream work bundled for the edge', async () => {
    const context = runInEdgeContext(code);
    expect(nodeGlobalsIn(context)).toBe('undefined,undefined,undefined,undefined');
    const app = (context as { edgeApp: { run(url: string): Promise<Record<string, unknown>> } }).edgeApp;
    expect(await app.run(ref.url)).toEqual({
      text: 'You said: edge check',
      streamedText: 'lookup_order returned',
      tools: ['tool-call', 'tool-result'],
      approved: { deleted: true, draft_id: 'Q3-plan' },
      errors: ['server_error'],
    });
    const chained = ref.journal().filter((e) => e.path === '/v1/responses')[1]!.body as Record<
      string,
      unknown
    >;
    expect(chained.previous_response_id).toMatch(/^run_/);
    expect(ref.journal()[0]!.headers['idempotency-key']).toMatch(/^tl-ai-[0-9a-f]{64}$/);
  });
});
