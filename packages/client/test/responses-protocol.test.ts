import { decodeSSE } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError, responseStreamFromResponse } from '../src/index';
import { useServer } from './support/server';

const LONG = 'one two three four five six seven eight nine ten eleven twelve';
const fault = (spec: string) => ({ headers: { 'x-threadline-fault': spec }, maxRetries: 0 });

describe.each(['msw', 'port'] as const)(
  'a stream that breaks the protocol is MalformedResponseError (%s)',
  (over) => {
    const ref = useServer({ over });
    const streamed = (spec: string) =>
      ref.client.responses.create({ model: '', input: LONG, stream: true }, fault(spec));

    /** Reads a stream to its end: what it threw, the events before that, and what finalResponse() says. */
    async function drain(spec: string) {
      const types: string[] = [];
      let error: unknown;
      let stream: Awaited<ReturnType<typeof streamed>> | undefined;
      try {
        stream = await streamed(spec);
        for await (const event of stream) types.push(event.type);
      } catch (caught) {
        error = caught;
      }
      const final = stream ? await stream.finalResponse().catch((e: unknown) => e) : undefined;
      return { types, error, final, stream };
    }

    it('without a fault the stream reads to its end (the baseline)', async () => {
      const { types, error, final } = await drain('');
      expect(error).toBeUndefined();
      expect(types.at(-1)).toBe('response.completed');
      expect(final).toMatchObject({ output_text: `You said: ${LONG}` });
    });

    it.each([
      ['sequence-gap', /sequence_number 3, expected 2/, 'create'],
      ['item-done-without-added', /for item msg_\w+, which was never added/, 'create'],
      ['lost-text-delta', /text deltas of item msg_\w+ do not add up/, 'iteration'],
      ['changing-response-id', /response id changed from (run_\w+) to \1_changed/, 'iteration'],
      ['frames-after-done', /an event follows the terminal event/, 'iteration'],
    ])('%s is MalformedResponseError saying what broke', async (spec, says, where) => {
      const { error, final, stream } = await drain(spec);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as Error).message).toMatch(says);
      // A break among the opening events rejects create() itself, as a failed attempt; a later one the
      // iteration, and finalResponse() with it.
      expect(stream === undefined).toBe(where === 'create');
      if (stream) {
        expect(final).toBe(error);
        // The run is cancelled as for any malformed stream: the connection is aborted.
        expect(stream.controller.signal.aborted).toBe(true);
      }
    });

    it('an output item added twice is MalformedResponseError', async () => {
      // One turn of the reference server has one message, so the duplicate-output-id fault cannot repeat an
      // id within a stream: the server's own stream with its `output_item.added` event repeated does.
      const raw = await fetch(`${ref.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: '', input: LONG, stream: true }),
      });
      let sse = '';
      let sequence = 0;
      for await (const frame of decodeSSE(raw.body!)) {
        const event = JSON.parse(frame.data) as { type: string; sequence_number: number };
        const copies = event.type === 'response.output_item.added' ? 2 : 1;
        for (let i = 0; i < copies; i++)
          sse += `data: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`;
      }
      const stream = await responseStreamFromResponse(
        new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
      );
      const error = await stream.finalResponse().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as Error).message).toMatch(/output item msg_\w+ added twice/);
    });

    it('bad-response-object: a JSON answer that is not a response object is MalformedResponseError', async () => {
      const error = await ref.client.responses
        .create({ model: '', input: LONG }, fault('bad-response-object'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as Error).message).toMatch(/expected a response object, got object "responses"/);
      const clean = await ref.client.responses.create({ model: '', input: LONG });
      expect(clean.output_text).toBe(`You said: ${LONG}`);
    });
  },
);
