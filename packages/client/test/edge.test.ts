import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGlobalsIn, runInEdgeContext } from '../../mock-server/test/support/edge';
import { bundleFixture } from './support/bundle';
import { realServer } from './support/server';

describe('an edge runtime (a bare context with only web-standard globals)', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let code: string;
  beforeAll(async () => {
    ref = await realServer();
    code = await bundleFixture('edge-smoke.ts', { format: 'iife', globalName: 'edgeSmoke' });
  });
  afterAll(() => ref.close());

  it('streams, raises typed errors, times out a stall, stores a part and uploads', async () => {
    const context = runInEdgeContext(code);
    expect(nodeGlobalsIn(context)).toBe('undefined,undefined,undefined,undefined');
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
