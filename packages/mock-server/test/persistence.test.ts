import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, createMockServer } from '../src/index';
import { MIGRATIONS } from '../src/store/migrations';
import { chat, TARGETS, type Target, userSays } from './support/target';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-db-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alice = { 'x-session-id': 'trip', 'x-user-id': 'alice' };
const png =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const textOf = async (response: Response) => (await response.json()).choices[0].message.content as string;

/** Everything a first server life leaves behind: memory, a document, a file, runs, two approvals. */
async function firstLife(target: Target) {
  await chat(target, { messages: userSays('My locker code is ZEBRA-42.') }, alice);
  const ingest = await target.fetch('/v1/ingest?file_path=threadline-demo.md', {
    method: 'POST',
    headers: alice,
  });
  expect(ingest.status).toBe(200);
  const withImage = await (
    await chat(target, {
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] }],
    })
  ).json();
  const paused = await (
    await chat(target, { messages: userSays('Please delete the draft Q3-plan.') })
  ).json();
  const rejected = await (
    await chat(target, { messages: userSays('Please delete the draft old-1.') })
  ).json();
  const rejectCall = rejected.choices[0].message.tool_calls[0];
  const decided = await chat(target, {
    messages: [
      ...userSays('Please delete the draft old-1.'),
      rejected.choices[0].message,
      { role: 'tool', tool_call_id: rejectCall.id, content: 'reject' },
    ],
  });
  expect(decided.status).toBe(200);
  const run = await (await target.fetch(`/v1/runs/${withImage.id}`)).json();
  return { run, paused, rejected };
}

describe.each(TARGETS)('--db persistence (%s)', (_name, make) => {
  it('keeps memory, documents, files, runs and approvals across a restart', async () => {
    const db = join(dir, 'threadline.db');
    const before = await make({ db });
    const { run, paused, rejected } = await firstLife(before).finally(() => before.close());

    const after = await make({ db });
    try {
      expect(
        await textOf(await chat(after, { messages: userSays('What is my locker code?') }, alice)),
      ).toContain('ZEBRA-42');
      expect(
        await textOf(await chat(after, { messages: userSays('What is the launch code?') }, alice)),
      ).toContain('AMBER-FALCON-7');
      // The run record and its file, byte-identical.
      expect(await (await after.fetch(`/v1/runs/${run.id}`)).json()).toEqual(run);
      const [fileId] = run.file_ids;
      const bytes = new Uint8Array(await (await after.fetch(`/v1/files/${fileId}/content`)).arrayBuffer());
      expect(Buffer.from(bytes).toString('base64')).toBe(png.split(',')[1]);
      // The pause made before the restart can be approved after it; the decided one stays decided.
      const call = paused.choices[0].message.tool_calls[0];
      const approved = await chat(after, {
        messages: [
          ...userSays('Please delete the draft Q3-plan.'),
          paused.choices[0].message,
          { role: 'tool', tool_call_id: call.id, content: 'approve' },
        ],
      });
      expect(await textOf(approved)).toBe('delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}');
      const again = await chat(after, {
        messages: [
          ...userSays('Please delete the draft old-1.'),
          rejected.choices[0].message,
          { role: 'tool', tool_call_id: rejected.choices[0].message.tool_calls[0].id, content: 'approve' },
        ],
      });
      expect((await again.json()).error.code).toBe('approval_already_decided');
      expect(after.server.tools.executions.map((e) => e.arguments)).toEqual([{ draft_id: 'Q3-plan' }]);
      // Another user still sees nothing of it.
      const bob = { 'x-session-id': 'trip', 'x-user-id': 'bob' };
      expect(
        await textOf(await chat(after, { messages: userSays('What is my locker code?') }, bob)),
      ).not.toContain('ZEBRA');
      expect((await after.fetch(`/v1/files/${fileId}`, { headers: { 'x-user-id': 'bob' } })).status).toBe(
        404,
      );
    } finally {
      await after.close();
    }
  });

  it('empties the file on reset', async () => {
    const db = join(dir, 'reset.db');
    const ask = async (target: Target) =>
      textOf(await chat(target, { messages: userSays('What is my locker code?') }, alice));
    const first = await make({ db });
    await chat(first, { messages: userSays('My locker code is ZEBRA-42.') }, alice);
    await first.close();
    const second = await make({ db });
    expect(await ask(second)).toContain('ZEBRA-42');
    second.server.reset();
    await second.close();
    const third = await make({ db });
    try {
      expect(await ask(third)).not.toContain('ZEBRA');
    } finally {
      await third.close();
    }
  });
});

describe('--db migrations', () => {
  const latest = MIGRATIONS.at(-1)!.version;

  it('versions a new file at the latest schema and upgrades an older one', () => {
    const fresh = join(dir, 'fresh.db');
    createMockServer({ db: fresh }).close();
    const check = new DatabaseSync(fresh);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: latest });
    // Back to an empty, version-0 file: opening it again applies every migration once more.
    check.exec(
      'DROP TABLE ledger; DROP TABLE approvals; DROP TABLE runs; DROP TABLE files; PRAGMA user_version = 0',
    );
    check.close();
    createMockServer({ db: fresh }).close();
    const again = new DatabaseSync(fresh);
    expect(again.prepare('PRAGMA user_version').get()).toEqual({ user_version: latest });
    expect(
      again.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get(),
    ).toEqual({ n: 1 });
    again.close();
  });

  it('refuses a file written by a newer schema, and a path it cannot open, with a ConfigError', () => {
    const future = join(dir, 'future.db');
    const db = new DatabaseSync(future);
    db.exec(`PRAGMA user_version = ${latest + 1}`);
    db.close();
    expect(() => createMockServer({ db: future })).toThrow(ConfigError);
    expect(() => createMockServer({ db: future })).toThrow(
      /schema version \d+, newer than this server knows/,
    );
    expect(() => createMockServer({ db: join(dir, 'missing', 'dir', 'x.db') })).toThrow(
      /cannot open the database .*x\.db/,
    );
  });
});
