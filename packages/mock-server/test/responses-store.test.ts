import type { ChatMessage } from '@threadline/protocol/schemas';
import { describe, expect, it } from 'vitest';
import { MemoryResponseStore } from '../src/routes/responses/chain';

const m = (message: Record<string, unknown>) => message as ChatMessage;

// The in-memory store keeps a plain text turn as its two texts and anything else as JSON text: either way
// a read gives back exactly what was stored.
describe('the in-memory Responses store', () => {
  const turns: Array<[string, ChatMessage[]]> = [
    ['a plain text turn', [m({ role: 'user', content: 'hi' }), m({ role: 'assistant', content: 'hello' })]],
    [
      'a named user',
      [m({ role: 'user', content: 'hi', name: 'ann' }), m({ role: 'assistant', content: 'x' })],
    ],
    [
      'a tool call',
      [
        m({ role: 'user', content: 'weather?' }),
        m({
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }],
        }),
      ],
    ],
    [
      'content parts',
      [m({ role: 'user', content: [{ type: 'text', text: 'hi' }] }), m({ role: 'assistant', content: 'a' })],
    ],
    [
      'three messages',
      [
        m({ role: 'user', content: 'a' }),
        m({ role: 'assistant', content: 'b' }),
        m({ role: 'user', content: 'c' }),
      ],
    ],
  ];

  it.each(turns)('gives back %s as stored, with its message item', (_what, messages) => {
    const store = new MemoryResponseStore();
    store.setChain('run_abc', { owner: 'anon/u', parent: 'run_prev', messages });
    expect(store.getChain('run_abc')).toEqual({ owner: 'anon/u', parent: 'run_prev', messages });
    const last = messages.at(-1)!;
    store.setItem('anon/u', 'msg_abc', [last]);
    expect(store.getItem('anon/u', 'msg_abc')).toEqual([last]);
    expect(store.getItem('anon/other', 'msg_abc')).toBeUndefined();
  });

  it('keeps a message item that is not the answered text, and items of no link', () => {
    const store = new MemoryResponseStore();
    store.setChain('run_abc', {
      owner: 'anon/u',
      parent: null,
      messages: [m({ role: 'user', content: 'hi' }), m({ role: 'assistant', content: 'hello' })],
    });
    const other = [m({ role: 'assistant', content: 'something else' })];
    store.setItem('anon/u', 'msg_abc', other);
    expect(store.getItem('anon/u', 'msg_abc')).toEqual(other);
    const call = [m({ role: 'assistant', content: null, tool_calls: [] })];
    store.setItem('anon/u', 'fc_1', call);
    expect(store.getItem('anon/u', 'fc_1')).toEqual(call);
    expect(store.getItem('anon/v', 'fc_1')).toBeUndefined();
    store.clear();
    expect(store.getChain('run_abc')).toBeUndefined();
    expect(store.getItem('anon/u', 'fc_1')).toBeUndefined();
  });

  it('keeps the newest links with their message items as it grows, and evicts the oldest', () => {
    const store = new MemoryResponseStore({ maxCount: 200, maxBytes: 1 << 30 });
    const turn = (i: number) => [
      m({ role: 'user', content: `q${i}` }),
      m({ role: 'assistant', content: `a${i}` }),
    ];
    for (let i = 0; i < 250; i++) {
      store.setChain(`run_${i}`, {
        owner: 'anon/u',
        parent: i === 0 ? null : `run_${i - 1}`,
        messages: turn(i),
      });
      // Odd turns keep a message item other than their answer: it lives in the link's place too.
      store.setItem(
        'anon/u',
        `msg_${i}`,
        i % 2 ? [m({ role: 'assistant', content: `other${i}` })] : [turn(i)[1]!],
      );
    }
    // It grew 64 → 128 → 200 places: links 50–127 were moved when it last grew.
    expect(store.usage()).toMatchObject({ count: 200, evicted: 50 });
    expect(store.getChain('run_49')).toBeUndefined();
    expect(store.getItem('anon/u', 'msg_49')).toBeUndefined();
    for (const i of [50, 51, 126, 127, 249]) {
      expect(store.getChain(`run_${i}`)).toEqual({
        owner: 'anon/u',
        parent: `run_${i - 1}`,
        messages: turn(i),
      });
      expect(store.getItem('anon/u', `msg_${i}`)).toEqual(
        i % 2 ? [m({ role: 'assistant', content: `other${i}` })] : [turn(i)[1]],
      );
    }
  });
});
