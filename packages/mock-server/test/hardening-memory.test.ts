import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DemoDrafts } from '../src/demo';
import { ConfigError, createMockServer } from '../src/index';
import { POSTING_BYTES } from '../src/memory/recall-index';
import { DEFAULT_STORE_CAPS } from '../src/state/limits';
import { chat, errorOf, inProcess, postJson, type Target, userSays } from './support/target';

const MiB = 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection. */
const settledHeap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

interface Usage {
  count: number;
  bytes: number;
  maxCount: number;
  maxBytes: number;
  evicted: number;
}

const stores = async (
  target: Target,
): Promise<Record<string, Usage> & Record<'runs' | 'journal' | 'memory' | 'files', Usage>> => {
  const response = await target.fetch('/health');
  expect(response.status).toBe(200);
  return (await response.json()).stores;
};

const runIdOf = (response: Response) => response.headers.get('x-threadline-run-id')!;

describe('in-memory stores are bounded by bytes as well as count', () => {
  it('keeps runs under their byte cap with 8 MB system messages, evicting the oldest, heap flat', async () => {
    const target = await inProcess({ storeLimits: { runs: { maxBytes: 24 * MiB } } });
    const system = 'S'.repeat(8 * MiB);
    const send = async (i: number) => {
      const response = await chat(target, {
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: `request ${i}` },
        ],
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return runIdOf(response);
    };
    const first = await send(0);
    const before = settledHeap();
    const ids = [first];
    for (let i = 1; i < 20; i++) ids.push(await send(i));
    const grown = settledHeap() - before;

    const { runs, journal } = await stores(target);
    expect(runs.maxBytes).toBe(24 * MiB);
    expect(runs.bytes).toBeLessThanOrEqual(24 * MiB);
    expect(runs.count).toBeLessThanOrEqual(3);
    expect(runs.evicted).toBe(20 - runs.count);
    // Unbounded, the 19 later runs alone would hold 19 × 8 MB of instructions.
    expect(grown).toBeLessThan(64 * MiB);
    expect(journal.count).toBe(20);
    // The oldest are gone, the newest is there, and the server still answers.
    expect((await target.fetch(`/v1/runs/${ids[0]}`)).status).toBe(404);
    expect((await target.fetch(`/v1/runs/${ids[19]}`)).status).toBe(200);
    expect((await chat(target, { messages: userSays('still here?') })).status).toBe(200);
    await target.close();
  }, 60_000);

  it('forgets the oldest memory first once the memory cap is reached', async () => {
    const target = await inProcess({ storeLimits: { memory: { maxBytes: 4 * MiB } } });
    const session = { 'x-session-id': 'big' };
    const said = (i: number) => `Note ${i}: ${'m'.repeat(MiB)}`;
    await (await chat(target, { messages: userSays('The first code word is HERON-1.') }, session)).text();
    for (let i = 0; i < 8; i++) await (await chat(target, { messages: userSays(said(i)) }, session)).text();
    const { memory } = await stores(target);
    expect(memory.bytes).toBeLessThanOrEqual(4 * MiB);
    expect(memory.evicted).toBeGreaterThan(0);
    const remembered = target.server.memory.list(target.server.memory.scopes()[0]!);
    expect(remembered.some((entry) => entry.text.includes('HERON-1'))).toBe(false);
    expect(remembered.some((entry) => entry.text.startsWith('Note 7:'))).toBe(true);
    await target.close();
  });

  it('counts the search index of a text of many distinct words against the memory cap', async () => {
    const target = await inProcess({ storeLimits: { memory: { maxBytes: 4 * MiB } } });
    const session = { 'x-session-id': 'words' };
    // 20,000 distinct words in 190 KB: the index holds a posting per word, far more than the text.
    const words = (i: number) => Array.from({ length: 20_000 }, (_, w) => `w${i}x${w}`).join(' ');
    await (await chat(target, { messages: userSays(words(0)) }, session)).text();
    const first = (await stores(target)).memory;
    expect(first.bytes).toBeGreaterThan(20_000 * POSTING_BYTES);
    for (let i = 1; i < 8; i++) await (await chat(target, { messages: userSays(words(i)) }, session)).text();
    const { memory } = await stores(target);
    expect(memory.bytes).toBeLessThanOrEqual(4 * MiB);
    expect(memory.evicted).toBeGreaterThan(0);
    // What is still remembered is still found; what went is not.
    const asked = await chat(target, { messages: userSays('w7x19999') }, session);
    expect((await asked.json()).choices[0].message.content).toContain('From memory: w7x0');
    await target.close();
  });

  it('evicts the oldest files past the count cap; an evicted file is a clean 404', async () => {
    const target = await inProcess({ storeLimits: { files: { maxCount: 3 } } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await chat(target, {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Read it.' },
              { type: 'file', file: { filename: `n${i}.txt`, file_data: btoa(`file ${i}`) } },
            ],
          },
        ],
      });
      expect(response.status).toBe(200);
      const run = await (await target.fetch(`/v1/runs/${runIdOf(response)}`)).json();
      ids.push(run.file_ids[0]);
    }
    const { files } = await stores(target);
    expect(files).toMatchObject({ count: 3, maxCount: 3, evicted: 2 });
    expect(await errorOf(await target.fetch(`/v1/files/${ids[0]}`))).toMatchObject({ status: 404 });
    expect((await target.fetch(`/v1/files/${ids[4]}/content`)).status).toBe(200);
    await target.close();
  });

  it('answers an approval whose paused run was evicted with 400 unknown_approval_id, running nothing', async () => {
    const target = await inProcess({ storeLimits: { runs: { maxCount: 2 } } });
    const paused = await (
      await chat(target, { messages: userSays('Please delete the draft Q3-plan.') })
    ).json();
    const call = paused.choices[0].message.tool_calls[0];
    for (let i = 0; i < 2; i++) await (await chat(target, { messages: userSays(`later ${i}`) })).text();
    const resumed = await chat(target, {
      messages: [
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'approve' },
      ],
    });
    expect(await errorOf(resumed)).toMatchObject({
      status: 400,
      code: 'unknown_approval_id',
      message: expect.stringContaining('expired'),
    });
    expect((await (await target.fetch('/__threadline/tools')).json()).executions).toEqual([]);
    await target.close();
  });

  it('bounds approvals, the journal and the tool log by count and bytes', async () => {
    const target = await inProcess({
      storeLimits: {
        approvals: { maxCount: 2 },
        journal: { maxCount: 50, maxBytes: 200_000 },
        toolRuns: { maxCount: 2 },
      },
    });
    const pauses = [];
    for (let i = 0; i < 3; i++) {
      pauses.push(
        (await (await chat(target, { messages: userSays(`Please delete the draft d-${i}.`) })).json())
          .choices[0].message.tool_calls[0],
      );
    }
    // The oldest pause was evicted: its id is unknown now.
    const oldest = await chat(target, {
      messages: [
        { role: 'assistant', content: null, tool_calls: [pauses[0]] },
        { role: 'tool', tool_call_id: pauses[0].id, content: 'approve' },
      ],
    });
    expect((await errorOf(oldest)).code).toBe('unknown_approval_id');
    for (let i = 0; i < 3; i++)
      await (await chat(target, { messages: userSays('Please look up order A-1001.') })).text();
    // Bodies just under the journal's 64 KiB whole-body limit, so each entry costs about that much.
    for (let i = 0; i < 6; i++) await (await chat(target, { messages: userSays('j'.repeat(60_000)) })).text();
    // The journal first: the health request is journalled after it reports.
    const journal = (await (await target.fetch('/__threadline/journal')).json()).entries;
    const usage = await stores(target);
    expect(usage.approvals).toMatchObject({ count: 2, evicted: 1 });
    expect(usage.toolRuns).toMatchObject({ count: 2, evicted: 1 });
    expect(usage.journal.bytes).toBeLessThanOrEqual(200_000);
    expect(usage.journal.evicted).toBeGreaterThan(0);
    expect(journal.length).toBe(usage.journal.count);
    expect(journal.at(-1).body.messages[0].content).toHaveLength(60_000);
    // The body's arrived size is counted, not listed: entries keep their documented fields.
    expect(journal.at(-1)).not.toHaveProperty('bodyBytes');
    expect((await (await target.fetch('/__threadline/tools')).json()).executions).toHaveLength(2);
    await target.close();
  });

  it('bounds stored responses by count: an evicted one cannot be continued, a kept one still can', async () => {
    const target = await inProcess({ storeLimits: { responses: { maxCount: 2 } } });
    const respond = async (body: Record<string, unknown>) =>
      postJson(target, '/v1/responses', { model: 'threadline-mini', ...body });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await (await respond({ input: `turn ${i}` })).json()).id);
    const usage = (await stores(target)).responses!;
    expect(usage).toMatchObject({ count: 2, maxCount: 2, evicted: 1 });
    expect(usage.bytes).toBeGreaterThan(0);
    const evicted = await respond({ previous_response_id: ids[0], input: 'again' });
    expect(await errorOf(evicted)).toMatchObject({ status: 404, code: 'previous_response_not_found' });
    const kept = await respond({ previous_response_id: ids[2], input: 'And then?' });
    expect(kept.status).toBe(200);
    const alone = await (await respond({ input: 'And then?' })).json();
    // The kept link is read back whole: its turn counts in the continued prompt.
    expect((await kept.json()).usage.input_tokens).toBeGreaterThan(alone.usage.input_tokens);
    await target.fetch('/__threadline/reset', { method: 'POST' });
    expect((await stores(target)).responses).toMatchObject({ count: 0, bytes: 0 });
    await target.close();
  });

  it('reports every store with its documented defaults, and empties the counters on reset', async () => {
    const target = await inProcess();
    await (await chat(target, { messages: userSays('hello') })).text();
    const usage = await stores(target);
    for (const [name, cap] of Object.entries(DEFAULT_STORE_CAPS)) {
      expect(usage[name], name).toMatchObject({ ...cap, evicted: 0 });
    }
    expect(usage.runs.count).toBe(1);
    expect(usage.runs.bytes).toBeGreaterThan(0);
    await target.fetch('/__threadline/reset', { method: 'POST' });
    expect((await stores(target)).runs).toMatchObject({ count: 0, bytes: 0 });
    await target.close();
  });

  it('marks the stores a db file keeps as persistent', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'threadline-stores-'));
    const target = await inProcess({ db: join(dir, 'x.db') });
    const usage = await stores(target);
    for (const name of ['runs', 'files', 'memory', 'approvals', 'responses'])
      expect(usage[name], name).toEqual({ persistent: true });
    expect(usage.journal.maxCount).toBe(DEFAULT_STORE_CAPS.journal.maxCount);
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses fixtures and queued faults past their caps instead of dropping scripted ones', async () => {
    const target = await inProcess();
    const tooLong = await postJson(target, '/__threadline/faults', { fault: `quota;${' '.repeat(4100)}` });
    expect(await errorOf(tooLong)).toMatchObject({ status: 400, code: 'invalid_fault' });
    for (let i = 0; i < 1000; i++) target.server.faults.enqueue('quota');
    const full = await postJson(target, '/__threadline/faults', { fault: 'quota' });
    expect(await errorOf(full)).toMatchObject({
      status: 400,
      code: 'invalid_fault',
      message: expect.stringContaining('full'),
    });
    expect(target.server.faults.size).toBe(1000);
    // 64 MiB of fixtures in 5 MiB pieces: the 13th is refused, the first twelve stay.
    const reply = { text: 'r'.repeat(5 * MiB) };
    for (let i = 0; i < 12; i++) {
      expect(
        (await postJson(target, '/__threadline/fixtures', { match: { userText: `q${i}` }, reply })).status,
      ).toBe(201);
    }
    const refused = await postJson(target, '/__threadline/fixtures', { match: { userText: 'q12' }, reply });
    expect(await errorOf(refused)).toMatchObject({
      status: 400,
      code: 'invalid_fixture',
      message: expect.stringContaining('full'),
    });
    expect(target.server.fixtures.size).toBe(12);
    await target.close();
  }, 30_000);

  it('keeps demo drafts for at most 10,000 owners, the oldest starting over', () => {
    const drafts = new DemoDrafts();
    expect(drafts.delete('owner-0', 'Q3-plan')).toBe(true);
    expect(drafts.list('owner-0')).not.toContain('Q3-plan');
    for (let i = 1; i <= 10_000; i++) drafts.list(`owner-${i}`);
    expect(drafts.list('owner-0')).toContain('Q3-plan');
    expect(drafts.list('owner-10000')).toEqual(['draft-1', 'Q3-plan', 'Q4-budget']);
  });

  it('validates storeLimits in the config', () => {
    expect(() => createMockServer({ storeLimits: { runs: { maxBytes: 0 } } })).toThrow(ConfigError);
    expect(() => createMockServer({ storeLimits: { everything: {} } } as never)).toThrow(/storeLimits/);
  });
});
