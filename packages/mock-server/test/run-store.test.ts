import { describe, expect, it } from 'vitest';
import type { StoredRun } from '../src/state/runs';
import { MemoryRunStore } from '../src/state/runs';

const DETAILS = Object.freeze({ cached_tokens: 0, audio_tokens: 0 });

/** A run as the engine opens it: every key, in its order. */
function opened(id: string, owner = 'anon/u'): StoredRun {
  return {
    id,
    object: 'run',
    status: 'in_progress',
    stop_reason: null,
    model: ['threadline', 'mini'].join('-'),
    created_at: 1_796_179_902,
    completed_at: null,
    usage: null,
    tool_calls: [],
    file_ids: [],
    owner,
    instructions: 'be brief',
  };
}

const ended = {
  status: 'completed',
  stop_reason: 'end_turn',
  completed_at: 1_796_179_903,
  usage: { prompt_tokens: 9, completion_tokens: 32, total_tokens: 41, prompt_tokens_details: DETAILS },
} as const;

// Ended runs are packed into columns and read back as new objects: a read must give exactly what was
// stored, key order included (GET /v1/runs serialises it), whatever shape the run has.
describe('the in-memory run store', () => {
  it('reads an ended run back exactly as it was written, in its key order', () => {
    const store = new MemoryRunStore();
    store.create(opened('run_a'));
    const updated = store.update('run_a', ended);
    const expected = { ...opened('run_a'), ...ended };
    expect(updated).toEqual(expected);
    const read = store.get('run_a', 'anon/u');
    expect(read).toEqual(expected);
    expect(JSON.stringify(read)).toBe(JSON.stringify(expected));
    expect(read!.usage!.prompt_tokens_details).toBe(DETAILS);
    // A later change of an ended run (an approval decided, say) is kept too.
    store.update('run_a', { status: 'approval_rejected', stop_reason: 'approval_rejected' });
    expect(store.get('run_a', 'anon/u')).toMatchObject({ status: 'approval_rejected', usage: ended.usage });
  });

  it('keeps runs of every other shape as they are', () => {
    const store = new MemoryRunStore();
    const shapes: Array<[string, Partial<StoredRun> & Record<string, unknown>]> = [
      ['run_usage_extra', { ...ended, usage: { ...ended.usage, cost: 0.5 } }],
      ['run_usage_fraction', { ...ended, usage: { ...ended.usage, total_tokens: 41.5 } }],
      ['run_no_instructions', { ...ended, instructions: undefined }],
      [
        'run_tool_calls',
        { ...ended, tool_calls: [{ id: 'c', name: 't', arguments: '{}', status: 'client' }] },
      ],
      ['run_failed', { status: 'failed', stop_reason: 'error', completed_at: 5, usage: null }],
      ['run_extra_key', { ...ended, note: 'kept' }],
    ];
    for (const [id, patch] of shapes) {
      store.create(opened(id));
      store.update(id, patch);
      const expected = { ...opened(id), ...patch };
      const read = store.get(id, 'anon/u');
      expect(read, id).toEqual(expected);
      expect(JSON.stringify(read), id).toBe(JSON.stringify(expected));
    }
  });

  it('answers only the owner, and a run still going is the object it was given', () => {
    const store = new MemoryRunStore();
    const going = opened('run_b');
    store.create(going);
    expect(store.get('run_b', 'anon/u')).toBe(going);
    expect(store.get('run_b', 'anon/other')).toBeUndefined();
    store.update('run_b', ended);
    expect(store.get('run_b', 'anon/other')).toBeUndefined();
    expect(store.get('run_missing', 'anon/u')).toBeUndefined();
    expect(store.update('run_missing', ended)).toBeUndefined();
  });

  it('keeps runs still going and ended ones when it grows past its first size', () => {
    const store = new MemoryRunStore();
    const first = opened('run_first');
    store.create(first);
    store.create(opened('run_second'));
    store.update('run_second', ended);
    for (let i = 0; i < 300; i++) store.create(opened(`run_more_${i}`));
    expect(store.get('run_first', 'anon/u')).toBe(first);
    expect(store.get('run_second', 'anon/u')).toEqual({ ...opened('run_second'), ...ended });
    expect(store.usage()).toMatchObject({ count: 302, evicted: 0 });
  });

  it('reads back every model name as it came, however long or many', () => {
    const store = new MemoryRunStore();
    const long = 'm'.repeat(10_000);
    for (let i = 0; i < 300; i++) {
      const run = { ...opened(`run_named_${i}`), model: i % 2 ? `${long}${i}` : `model-${i}` };
      store.create(run);
      store.update(run.id, ended);
      expect(store.get(run.id, 'anon/u')!.model).toBe(run.model);
    }
  });

  it('evicts the oldest runs past its count, packed or not, and counts them', () => {
    const store = new MemoryRunStore({ maxCount: 100, maxBytes: 1 << 30 });
    for (let i = 0; i < 250; i++) {
      store.create(opened(`run_${i}`));
      if (i % 3 !== 0) store.update(`run_${i}`, ended);
    }
    expect(store.usage()).toMatchObject({ count: 100, evicted: 150 });
    expect(store.get('run_149', 'anon/u')).toBeUndefined();
    expect(store.get('run_150', 'anon/u')).toMatchObject({ id: 'run_150', status: 'in_progress' });
    expect(store.get('run_151', 'anon/u')).toMatchObject({ id: 'run_151', status: 'completed' });
    store.clear();
    expect(store.get('run_151', 'anon/u')).toBeUndefined();
    expect(store.usage()).toMatchObject({ count: 0, evicted: 0 });
  });
});
