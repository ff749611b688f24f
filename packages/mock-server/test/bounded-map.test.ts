import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../src/state/bounded';

// The map evicts oldest first; an entry replaced or deleted leaves a stale place in its queue, which
// eviction must skip without touching the key's newer entry.
describe('BoundedMap', () => {
  it('evicts the oldest live entry, skipping places left by replaced and deleted keys', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string>({ maxCount: 3, maxBytes: 1_000 }, (key) => evicted.push(key));
    map.set('a', 'a1', 10);
    map.set('b', 'b1', 10);
    map.set('c', 'c1', 10);
    map.set('a', 'a2', 20); // replaced: now the newest
    map.delete('b');
    map.set('d', 'd1', 10);
    expect(map.values()).toEqual(['c1', 'a2', 'd1']);
    map.set('e', 'e1', 10); // over the count: the oldest live entry is c, not the stale a or b
    expect(evicted).toEqual(['c']);
    expect(map.get('a')).toBe('a2');
    expect(map.values()).toEqual(['a2', 'd1', 'e1']);
    expect(map.usage()).toMatchObject({ count: 3, bytes: 40, evicted: 1 });
  });

  it('changes an entry in place, keeping its age, and evicts by its new size', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<{ text: string }>({ maxCount: 10, maxBytes: 100 }, (key) => evicted.push(key));
    map.set('a', { text: 'x' }, 10);
    map.set('b', { text: 'y' }, 10);
    expect(
      map.update(
        'missing',
        () => {},
        () => 0,
      ),
    ).toBe(false);
    expect(
      map.update(
        'a',
        (value) => (value.text = 'grown'),
        () => 50,
      ),
    ).toBe(true);
    expect(map.get('a')).toEqual({ text: 'grown' });
    expect(map.usage()).toMatchObject({ count: 2, bytes: 60 });
    map.update(
      'b',
      () => {},
      () => 60,
    ); // 110 bytes: the oldest (a) goes, though b grew
    expect(evicted).toEqual(['a']);
    expect(map.values()).toEqual([{ text: 'y' }]);
    expect(map.usage()).toMatchObject({ count: 1, bytes: 60, evicted: 1 });
  });
});
