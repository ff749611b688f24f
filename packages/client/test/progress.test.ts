import { describe, expect, it } from 'vitest';
import { type ProgressEvent, streamFromResponse, ThreadlineError } from '../src/index';
import { user, useServer } from './support/server';

describe('completion progress events', () => {
  const ref = useServer();

  it('reach onProgress, sent with the dialect progress header, and never appear among the chunks', async () => {
    const events: ProgressEvent[] = [];
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('show progress') },
      { onProgress: (event) => events.push(event) },
    );
    const objects = new Set<string>();
    for await (const chunk of stream) objects.add(chunk.object);
    expect(objects).toEqual(new Set(['chat.completion.chunk']));
    expect(ref.server.journal.list().at(-1)?.headers['x-spiceai-completion-progress']).toBe('enabled');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.object === 'chat.completion.progress' && e.id === stream.runId)).toBe(true);
    const fractions = events.map((e) => e.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: show progress');
  });

  it('are not asked for unless wanted', async () => {
    const stream = await ref.client.chat.completions.create({
      model: '',
      stream: true,
      messages: user('quiet'),
    });
    await stream.finalCompletion();
    expect(ref.server.journal.list().at(-1)?.headers['x-spiceai-completion-progress']).toBeUndefined();
  });

  it('travel through a relay to the reading side', async () => {
    const upstream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('relay progress') },
      { progress: true },
    );
    const events: ProgressEvent[] = [];
    const reader = await streamFromResponse(new Response(upstream.toReadableStream()), {
      onProgress: (event) => events.push(event),
    });
    await reader.finalCompletion();
    expect(events.length).toBeGreaterThan(0);
  });

  it('after a retried first attempt, the retry’s events start over and the text arrives once', async () => {
    ref.server.faults.enqueue('drop-after=0', 1);
    const stages: string[] = [];
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('progress retry') },
      { maxRetries: 1, onProgress: (event) => stages.push(event.stage) },
    );
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: progress retry');
    expect(ref.server.journal.list()).toHaveLength(2);
    const firstStage = stages[0];
    expect(stages.filter((stage) => stage === firstStage)).toHaveLength(2);
    expect(stages.at(-1)).toBe('done');
  });

  it('an onProgress callback that throws fails the call with its own error, not retried', async () => {
    const mine = new TypeError('my callback broke');
    const error = await ref.client.chat.completions
      .create(
        { model: '', stream: true, messages: user('x') },
        {
          maxRetries: 2,
          onProgress: () => {
            throw mine;
          },
        },
      )
      .catch((e) => e);
    expect(error).toBe(mine);
    expect(ref.server.journal.list()).toHaveLength(1);
  });

  it('are refused before sending for a non-stream call or a dialect without them', async () => {
    await expect(
      ref.client.chat.completions.create({ model: '', messages: user('x') }, { onProgress: () => {} }),
    ).rejects.toThrow(/only with stream: true/);
    await expect(
      ref.client.chat.completions.create(
        { model: '', stream: true, messages: user('x') },
        { progress: true, dialect: 'ice' },
      ),
    ).rejects.toBeInstanceOf(ThreadlineError);
    expect(ref.server.journal.list()).toHaveLength(0);
  });
});
