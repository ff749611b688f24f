import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli, type CliRun, listening, runCli } from './support/cli';
import { inProcess, overPort } from './support/target';

// A restart with `db` keeps memory, documents, files, runs and approvals — checked in-process, over a
// real port (start) and through the CLI process, each time against two lives of the server on one file.

const demoDir = fileURLToPath(new URL('../demo', import.meta.url));
let dir: string;
let cli: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-db-'));
  cli = await buildCli(dir);
}, 60_000);
// A failing test must not leave a server holding its file (or the run waiting on it).
const started: CliRun[] = [];
const spawnCli = (args: string[]) => {
  const server = runCli(cli, args);
  started.push(server);
  return server;
};
afterAll(async () => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** One life of a server on a db file, reached over HTTP only (the CLI has no in-process handle). */
interface Life {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const WAYS: Array<[string, (db: string) => Promise<Life>]> = [
  ['in-process', (db) => inProcess({ db, uploadDir: demoDir })],
  ['real port', (db) => overPort({ db, uploadDir: demoDir })],
  [
    'CLI',
    async (db) => {
      const server = spawnCli(['--port', '0', '--db', db, '--upload-dir', demoDir]);
      const url = await listening(server);
      return {
        fetch: (path, init) => fetch(`${url}${path}`, init),
        close: async () => {
          server.child.kill('SIGTERM');
          expect(await server.exit).toBe(0);
          expect(server.stderr()).toBe('');
        },
      };
    },
  ],
];

const alice = { 'x-user-id': 'alice' };
const bob = { 'x-user-id': 'bob' };
const session = { 'x-session-id': 'trip' };
// Every byte value, so a BLOB that is not kept byte for byte shows.
const BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
const filePart = {
  type: 'file',
  file: { filename: 'every-byte.bin', file_data: btoa(String.fromCharCode(...BYTES)) },
};
const say = (text: string) => [{ role: 'user', content: text }];

function chat(life: Life, messages: unknown[], headers: Record<string, string> = {}) {
  return life.fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...alice, ...headers },
    body: JSON.stringify({ model: '', messages }),
  });
}
const reply = async (response: Response) => (await response.json()).choices[0].message;
const textOf = async (response: Response) => (await reply(response)).content as string;
const get = (life: Life, path: string, headers: Record<string, string> = alice) =>
  life.fetch(path, { headers });
const decide = (
  paused: { content: null; tool_calls: Array<{ id: string }> },
  asked: string,
  content: string,
) => [...say(asked), paused, { role: 'tool', tool_call_id: paused.tool_calls[0]!.id, content }];

/** What a first life leaves behind: memory, a document, a file, runs, a pending and a decided approval. */
async function firstLife(life: Life) {
  await chat(life, say('My locker code is ZEBRA-42.'), session);
  await chat(life, say('The vault word is OSPREY-31.'), { 'ic-thread-id': 'plan' });
  const ingest = await life.fetch('/v1/ingest?file_path=threadline-demo.md', {
    method: 'POST',
    headers: { ...alice, ...session },
  });
  expect(ingest.status).toBe(200);
  const withFile = await chat(life, [
    { role: 'user', content: [{ type: 'text', text: 'Keep this.' }, filePart] },
  ]);
  expect(withFile.status).toBe(200);
  const runId = withFile.headers.get('x-threadline-run-id')!;
  const run = await (await get(life, `/v1/runs/${runId}`)).json();
  expect(run).toMatchObject({ status: 'completed', file_ids: [expect.any(String)] });
  const file = await (await get(life, `/v1/files/${run.file_ids[0]}`)).json();
  const paused = await reply(await chat(life, say('Please delete the draft Q3-plan.')));
  const rejected = await reply(await chat(life, say('Please delete the draft old-1.')));
  const refused = await chat(life, decide(rejected, 'Please delete the draft old-1.', 'reject'));
  expect(refused.status).toBe(200);
  return { run, file, paused, rejected };
}

describe.each(WAYS)('a restart with db (%s)', (way, open) => {
  it('keeps memory, documents, files, runs and approvals; another user still sees none of it', async () => {
    const db = join(dir, `restart-${way.replace(' ', '-')}.db`);
    const before = await open(db);
    const { run, file, paused, rejected } = await firstLife(before).finally(() => before.close());
    const [approvalId] = paused.tool_calls.map((call: { id: string }) => call.id);

    const after = await open(db);
    try {
      expect(await textOf(await chat(after, say('What is my locker code?'), session))).toContain('ZEBRA-42');
      expect(await textOf(await chat(after, say('What is the launch code?'), session))).toContain(
        'AMBER-FALCON-7',
      );
      // The thread's stored history is supplied again: only the new turn is sent.
      const thread = await textOf(
        await chat(after, say('What is the vault word?'), { 'ic-thread-id': 'plan' }),
      );
      expect(thread).toContain('OSPREY-31');

      expect(await (await get(after, `/v1/runs/${run.id}`)).json()).toEqual(run);
      expect(await (await get(after, `/v1/files/${file.id}`)).json()).toEqual(file);
      const content = await get(after, `/v1/files/${file.id}/content`);
      expect(new Uint8Array(await content.arrayBuffer())).toEqual(BYTES);
      // The same bytes again are the same file (dedupe survives), and the id can be cited.
      const again = await chat(after, [{ role: 'user', content: [filePart] }]);
      const againRun = await (
        await get(after, `/v1/runs/${again.headers.get('x-threadline-run-id')}`)
      ).json();
      expect(againRun.file_ids).toEqual([file.id]);
      const cited = await chat(after, [
        { role: 'user', content: [{ type: 'file', file: { file_id: file.id } }] },
      ]);
      expect(cited.status).toBe(200);

      // Bob, on the same session id, with every id guessed right: nothing.
      const bobSays = (text: string) => chat(after, say(text), { ...bob, ...session });
      expect(await textOf(await bobSays('What is my locker code?'))).not.toContain('ZEBRA');
      expect(await textOf(await bobSays('What is the launch code?'))).not.toContain('AMBER');
      expect((await get(after, `/v1/runs/${run.id}`, bob)).status).toBe(404);
      expect((await get(after, `/v1/files/${file.id}`, bob)).status).toBe(404);
      expect((await get(after, `/v1/files/${file.id}/content`, bob)).status).toBe(404);
      const bobApproves = await chat(
        after,
        decide(paused, 'Please delete the draft Q3-plan.', 'approve'),
        bob,
      );
      expect(bobApproves.status).toBe(400);
      expect((await bobApproves.json()).error.code).toBe('unknown_approval_id');

      // The pause made before the restart is approved after it; decided ones stay decided.
      const pausedRun = approvalId.split('::')[0];
      expect((await (await get(after, `/v1/runs/${pausedRun}`)).json()).status).toBe('awaiting_approval');
      const approved = await chat(after, decide(paused, 'Please delete the draft Q3-plan.', 'approve'));
      expect(await textOf(approved)).toBe('delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}');
      expect(await (await get(after, `/v1/runs/${pausedRun}`)).json()).toMatchObject({
        status: 'completed',
        tool_calls: [{ id: approvalId, status: 'executed' }],
      });
      for (const [message, asked] of [
        [paused, 'Please delete the draft Q3-plan.'],
        [rejected, 'Please delete the draft old-1.'],
      ] as const) {
        const twice = await chat(after, decide(message, asked, 'approve'));
        expect(twice.status).toBe(400);
        expect((await twice.json()).error.code).toBe('approval_already_decided');
      }
      const { executions } = await (await get(after, '/__threadline/tools')).json();
      expect(executions.map((e: { arguments: unknown }) => e.arguments)).toEqual([{ draft_id: 'Q3-plan' }]);
    } finally {
      await after.close();
    }
  });

  it('reset empties the file: nothing comes back after the next restart', async () => {
    const db = join(dir, `reset-${way.replace(' ', '-')}.db`);
    const before = await open(db);
    const { run, file, paused } = await firstLife(before);
    try {
      expect((await before.fetch('/__threadline/reset', { method: 'POST' })).status).toBe(200);
    } finally {
      await before.close();
    }
    const rows = new DatabaseSync(db, { readOnly: true });
    for (const table of ['ledger', 'approvals', 'runs', 'files']) {
      expect(rows.prepare(`SELECT count(*) AS n FROM ${table}`).get(), table).toEqual({ n: 0 });
    }
    rows.close();

    const after = await open(db);
    try {
      expect(await textOf(await chat(after, say('What is my locker code?'), session))).not.toContain('ZEBRA');
      expect(await textOf(await chat(after, say('What is the launch code?'), session))).not.toContain(
        'AMBER',
      );
      expect((await get(after, `/v1/runs/${run.id}`)).status).toBe(404);
      expect((await get(after, `/v1/files/${file.id}`)).status).toBe(404);
      const late = await chat(after, decide(paused, 'Please delete the draft Q3-plan.', 'approve'));
      expect((await late.json()).error.code).toBe('unknown_approval_id');
    } finally {
      await after.close();
    }
  });
});

describe.each(WAYS)('stopping with a stream open (%s)', (way, open) => {
  it('ends it as a cancelled run, recorded in the file before it closes', async () => {
    const errors = vi.spyOn(console, 'error');
    const db = join(dir, `stop-${way.replace(' ', '-')}.db`);
    const before = await open(db);
    const streaming = await before.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-threadline-chunk-delay': '200', ...alice },
      body: JSON.stringify({
        model: '',
        stream: true,
        messages: say('a reply long enough to still be sending'),
      }),
    });
    const runId = streaming.headers.get('x-threadline-run-id')!;
    const reader = streaming.body!.getReader();
    await reader.read();
    await before.close();
    await reader.cancel().catch(() => undefined);

    const after = await open(db);
    try {
      expect(await (await get(after, `/v1/runs/${runId}`)).json()).toMatchObject({
        status: 'cancelled',
        stop_reason: 'cancelled',
      });
    } finally {
      await after.close();
    }
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});

describe('db through the CLI: refusals', () => {
  it('a path in a missing folder: exit status 2 and a message naming the file', async () => {
    const db = join(dir, 'no-such-folder', 'x.db');
    const server = spawnCli(['--port', '0', '--db', db]);
    expect(await server.exit).toBe(2);
    expect(server.stderr()).toContain(`threadline-mock: cannot open the database ${db}`);
    expect(server.stdout()).toBe('');
  });

  it('a second server on a file in use: exit status 2, and the first one keeps serving', async () => {
    const db = join(dir, 'shared.db');
    const first = spawnCli(['--port', '0', '--db', db]);
    const url = await listening(first);
    try {
      const second = spawnCli(['--port', '0', '--db', db]);
      expect(await second.exit).toBe(2);
      expect(second.stderr()).toMatch(/the database .*shared\.db is in use by another server/);
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: '', messages: say('still here?') }),
      });
      expect(response.status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exit).toBe(0);
    }
  });
});
