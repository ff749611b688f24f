import { describe, expect, it } from 'vitest';
import { APIConnectionTimeoutError, APIUserAbortError, StreamIdleTimeoutError } from '../src/index';
import { captureLogger, settledRun, user, useServer } from './support/server';

const paced = (ms: number) => ({ headers: { 'x-threadline-chunk-delay': String(ms) } });
const words = user('one two three four five six seven eight nine ten eleven twelve');

describe('timeouts and cancellation (real port)', () => {
  const ref = useServer({ over: 'port' });

  it('fails one slow attempt with APIConnectionTimeoutError', async () => {
    const started = Date.now();
    const error = await ref.client.chat.completions
      .create(
        { model: '', messages: user('x') },
        { timeout: 150, maxRetries: 0, headers: { 'x-threadline-fault': 'latency=2000' } },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error.message).toMatch(/150 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('retries a timed-out attempt, with its own fresh timer', async () => {
    ref.server.faults.enqueue('latency=2000', 1);
    const completion = await ref.client.chat.completions.create(
      { model: '', messages: user('second time lucky') },
      { timeout: 300, maxRetries: 1 },
    );
    expect(completion.choices[0]?.message.content).toBe('You said: second time lucky');
  });

  it('a stalled stream fails with StreamIdleTimeoutError and the connection is closed', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      { streamIdleTimeout: 300, headers: { 'x-threadline-fault': 'stall-after=2' } },
    );
    let received = 0;
    const started = Date.now();
    const error = await (async () => {
      for await (const _ of stream) received++;
    })().catch((e) => e);
    expect(received).toBe(2);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    // The server saw the client leave: the run is cancelled, not left hanging.
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });

  it('a stall before the first chunk (even before the headers) is retried like any failed attempt', async () => {
    ref.server.faults.enqueue('stall-after=0', 1);
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('recover') },
      { streamIdleTimeout: 200, maxRetries: 1 },
    );
    expect((await stream.finalCompletion()).choices[0]?.message.content).toBe('You said: recover');
  });

  it('a slow consumer is not an idle server', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: user('take your time') },
      { streamIdleTimeout: 100 },
    );
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(text).toBe('You said: take your time');
  });

  it('an abort signal stops a request at once with APIUserAbortError, without retrying', async () => {
    const log = captureLogger();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await ref.client.chat.completions
      .create(
        { model: '', messages: user('x') },
        {
          signal: controller.signal,
          headers: { 'x-threadline-fault': 'latency=3000' },
          logger: log.logger,
          logLevel: 'debug',
        },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(log.text()).not.toMatch(/retrying/);
  });

  it('an abort signal closes an open stream and cancels the run', async () => {
    const controller = new AbortController();
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      { signal: controller.signal, ...paced(50) },
    );
    let received = 0;
    const error = await (async () => {
      for await (const _ of stream) if (++received === 2) controller.abort();
    })().catch((e) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(received).toBe(2);
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });

  it('stream.abort() ends a pending read with APIUserAbortError and cancels the run', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      paced(100),
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    stream.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await expect(stream.finalCompletion()).rejects.toBeInstanceOf(APIUserAbortError);
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
  });

  it('stream.abort() before iterating makes the iteration throw at once', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      paced(50),
    );
    stream.abort();
    const received: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(received).toEqual([]);
  });

  it('break closes the connection, which cancels the run on the server', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      paced(30),
    );
    for await (const _ of stream) break;
    const run = await settledRun(ref.client, stream.runId!);
    expect(run.status).toBe('cancelled');
    expect(run.stop_reason).toBe('cancelled');
  });

  it('cancelling a relay (the browser went away) closes the upstream at once, even while it stalls', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      { streamIdleTimeout: 5000, headers: { 'x-threadline-fault': 'stall-after=2' } },
    );
    const reader = stream.toReadableStream().getReader();
    await reader.read();
    await reader.read();
    const pending = reader.read(); // waits on the stalled upstream for a third chunk
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await reader.cancel();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
    await expect(stream.finalCompletion()).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('cancelling a relay before reading from it closes the upstream too', async () => {
    const stream = await ref.client.chat.completions.create(
      { model: '', stream: true, messages: words },
      paced(50),
    );
    await stream.toReadableStream().cancel();
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('cancelled');
    await expect(stream.finalCompletion()).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('a completed stream leaves a completed run', async () => {
    const stream = await ref.client.chat.completions.create({ model: '', stream: true, messages: words });
    await stream.finalCompletion();
    expect((await settledRun(ref.client, stream.runId!)).status).toBe('completed');
  });
});
