import { progressEventSchema } from '@threadline/protocol/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, chunks, frames, streamedText, TARGETS, type Target, userSays } from './support/target';

const TEXT = 'one two three four five six seven eight';

describe.each(TARGETS)('progress events (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'go' }, reply: { text: TEXT } }] });
  });
  afterAll(() => target.close());

  it('sends event: progress frames alongside chunks when the Spice header enables them', async () => {
    const response = await chat(
      target,
      { stream: true, messages: userSays('go') },
      { 'x-spiceai-completion-progress': 'enabled' },
    );
    const all = await frames(response);
    const progress = all
      .filter((f) => f.event === 'progress')
      .map((f) => progressEventSchema.parse(JSON.parse(f.data)));
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]).toMatchObject({ stage: 'queued', fraction: 0 });
    expect(progress.at(-1)).toMatchObject({ stage: 'done', fraction: 1 });
    expect(progress.every((p) => p.id === response.headers.get('x-threadline-run-id'))).toBe(true);
    const fractions = progress.map((p) => p.fraction);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    // The chunks are untouched: same text, [DONE] last.
    const data = all.filter((f) => f.event === undefined);
    expect(data.at(-1)!.data).toBe('[DONE]');
    expect(
      data
        .slice(0, -1)
        .map((f) => JSON.parse(f.data).choices[0].delta.content ?? '')
        .join(''),
    ).toBe(TEXT);
  });

  it('never sends progress without the header (or with another value)', async () => {
    for (const headers of [{}, { 'x-spiceai-completion-progress': 'disabled' }] as Record<string, string>[]) {
      const all = await frames(await chat(target, { stream: true, messages: userSays('go') }, headers));
      expect(all.some((f) => f.event !== undefined)).toBe(false);
    }
  });
});

describe.each(TARGETS)('pacing (%s)', (_name, make) => {
  let paced: Target;
  beforeAll(async () => {
    paced = await make({
      chunkDelayMs: 30,
      fixtures: [{ match: { userText: 'go' }, reply: { text: 'a b c d' } }],
    });
  });
  afterAll(() => paced.close());

  // Whole-stream timing: a busy reader may get two paced frames in one read, but the stream as a whole
  // can never end sooner than the pacing allows.
  it('spaces frames by chunkDelayMs from the config', async () => {
    const started = performance.now();
    const list = await chunks(await chat(paced, { stream: true, messages: userSays('go') }));
    const elapsed = performance.now() - started;
    expect(list.length).toBeGreaterThanOrEqual(5);
    expect(elapsed).toBeGreaterThanOrEqual(30 * (list.length - 1) * 0.9);
  });

  it('lets x-threadline-chunk-delay override it per request', async () => {
    // A slow configured pace (paced: at least 5 × 500 ms) keeps the unpaced answer far apart from it
    // even on a loaded machine.
    const slow = await make({
      chunkDelayMs: 500,
      fixtures: [{ match: { userText: 'go' }, reply: { text: 'a b c d' } }],
    });
    try {
      const started = performance.now();
      const list = await chunks(
        await chat(slow, { stream: true, messages: userSays('go') }, { 'x-threadline-chunk-delay': '0' }),
      );
      expect(streamedText(list)).toBe('a b c d');
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await slow.close();
    }
    const bad = await chat(
      paced,
      { stream: true, messages: userSays('go') },
      { 'x-threadline-chunk-delay': 'soon' },
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({
      param: 'x-threadline-chunk-delay',
      code: 'invalid_value',
    });
  });
});
