import { describe, expect, it } from 'vitest';
import { respond, streamEvents } from './support/responses';
import { chat, frames, inProcess } from './support/target';

// Text frames are assembled from remembered pieces on the hot path: each must be, byte for byte, the
// frame's object serialised in its wire order, for every piece and every time the same reply is served.
const TEXT = 'Say "hi"\\n to ünïcode 😀, tabs\tand\u2028 a line separator.';
const FIXTURES = [{ match: { userText: 'bytes please' }, reply: { text: TEXT } }];

describe('streamed text frames', () => {
  it('chat: every content chunk after the first is its chunk object as JSON.stringify writes it', async () => {
    const target = await inProcess({ fixtures: FIXTURES });
    try {
      for (let round = 0; round < 3; round++) {
        const response = await chat(target, {
          stream: true,
          messages: [{ role: 'user', content: 'bytes please' }],
        });
        const data = (await frames(response)).map((f) => f.data).filter((d) => d !== '[DONE]');
        const first = JSON.parse(data[0]!);
        const texts = data.slice(1).filter((d) => JSON.parse(d).choices[0]?.finish_reason === null);
        expect(texts.length).toBeGreaterThan(5);
        let streamed = first.choices[0].delta.content;
        for (const text of texts) {
          const content = JSON.parse(text).choices[0].delta.content as string;
          streamed += content;
          const expected = {
            id: first.id,
            object: 'chat.completion.chunk',
            created: first.created,
            model: first.model,
            system_fingerprint: first.system_fingerprint,
            choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
          };
          expect(text).toBe(JSON.stringify(expected));
        }
        expect(streamed).toBe(TEXT);
      }
    } finally {
      await target.close();
    }
  });

  it('responses: every text delta is its event object as JSON.stringify writes it', async () => {
    const target = await inProcess({ fixtures: FIXTURES });
    try {
      for (let round = 0; round < 3; round++) {
        const response = await respond(target, { stream: true, input: 'bytes please' });
        const body = await response.clone().text();
        const events = await streamEvents(response);
        const deltas = events.filter((e) => e.type === 'response.output_text.delta');
        expect(deltas.map((e) => e.delta).join('')).toBe(TEXT);
        const sent = body.split('\n').filter((line) => line.includes('"response.output_text.delta"'));
        const data = sent.filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
        expect(data).toHaveLength(deltas.length);
        deltas.forEach((event, i) => {
          const expected = {
            type: 'response.output_text.delta',
            sequence_number: event.sequence_number,
            item_id: event.item_id,
            output_index: 0,
            content_index: 0,
            delta: event.delta,
            logprobs: [],
          };
          expect(data[i]).toBe(JSON.stringify(expected));
        });
      }
    } finally {
      await target.close();
    }
  });
});
