import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createMockServer, type NewLedgerEntry } from '../src/index';
import { openStores } from '../src/store';
import { APPLICATION_ID, latestVersion, MIGRATIONS, type Migration } from '../src/store/migrations';
import { openDatabase } from '../src/store/open';

// The `db` file itself: versions and migrations, the files it refuses, one server per file, the ledger's
// order across restarts, and entry points that must not load node:sqlite.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-store-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const latest = latestVersion();
const marks = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
        name: string;
      }>
    ).map((row) => row.name);
    return {
      version: (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      applicationId: (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id,
      tables,
    };
  } finally {
    db.close();
  }
};
const run = (id: string) => ({
  id,
  object: 'run' as const,
  status: 'completed' as const,
  stop_reason: 'end_turn' as const,
  model: 'threadline-mock',
  created_at: 1,
  completed_at: 2,
  usage: null,
  tool_calls: [],
  file_ids: [],
  owner: 'alice',
});

describe('db schema versions', () => {
  it('creates a new file at the latest version, marked as a Threadline file', () => {
    const file = join(dir, 'new.db');
    createMockServer({ db: file }).close();
    expect(marks(file)).toEqual({
      version: latest,
      applicationId: APPLICATION_ID,
      tables: [
        'approvals',
        'files',
        'idempotency_keys',
        'ledger',
        'meta',
        'response_chains',
        'response_items',
        'runs',
        'sqlite_sequence',
      ],
    });
  });

  it('upgrades an older file step by step and keeps its data', () => {
    const file = join(dir, 'old.db');
    const v1 = openStores(file);
    v1.runs.create(run('run_before'));
    v1.db.close();
    const next: Migration = {
      version: latest + 1,
      name: 'run notes',
      sql: 'ALTER TABLE runs ADD COLUMN note TEXT',
    };
    const db = openDatabase(file, [...MIGRATIONS, next]);
    expect(db.prepare('SELECT id, note FROM runs').all()).toEqual([{ id: 'run_before', note: null }]);
    db.close();
    expect(marks(file).version).toBe(latest + 1);
  });

  it('a failing migration leaves the file at the version before it, untouched', () => {
    const file = join(dir, 'broken.db');
    createMockServer({ db: file }).close();
    const broken: Migration = {
      version: latest + 1,
      name: 'half done',
      sql: 'CREATE TABLE extra (a); INSERT INTO nowhere VALUES (1);',
    };
    expect(() => openDatabase(file, [...MIGRATIONS, broken])).toThrow(
      new RegExp(`migration ${latest + 1} \\(half done\\) failed on .*broken\\.db: no such table: nowhere`),
    );
    expect(marks(file).version).toBe(latest);
    expect(marks(file).tables).not.toContain('extra');
  });

  it('refuses a file from a newer schema with a ConfigError and changes nothing in it', () => {
    const file = join(dir, 'future.db');
    createMockServer({ db: file }).close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${latest + 1}`);
    db.close();
    const before = marks(file);
    expect(() => createMockServer({ db: file })).toThrow(ConfigError);
    expect(() => createMockServer({ db: file })).toThrow(
      `the database ${file} is at schema version ${latest + 1}, newer than this server knows (${latest})`,
    );
    expect(marks(file)).toEqual(before);
  });
});

describe('db files it refuses', () => {
  it('a SQLite file of another program: no table of ours is added to it', () => {
    const file = join(dir, 'other.db');
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
    db.close();
    expect(() => createMockServer({ db: file })).toThrow(/was not made by @threadline\/mock-server/);
    expect(marks(file).tables).toEqual(['notes']);
  });

  it('a file that is not a database, and a path in a missing folder', async () => {
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'These are notes, not a database. '.repeat(40));
    expect(() => createMockServer({ db: text })).toThrow(
      `cannot use the database ${text}: file is not a database`,
    );
    const missing = join(dir, 'missing', 'x.db');
    expect(() => createMockServer({ db: missing })).toThrow(ConfigError);
    expect(() => createMockServer({ db: missing })).toThrow(`cannot open the database ${missing}`);
  });

  it('a runtime without node:sqlite', () => {
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined);
    expect(() => createMockServer({ db: join(dir, 'x.db') })).toThrow(/db needs node:sqlite/);
    expect(() => createMockServer({ db: join(dir, 'x.db') })).toThrow(ConfigError);
  });

  it('a file another server holds; once it closes, the file opens', () => {
    const file = join(dir, 'one-writer.db');
    const first = createMockServer({ db: file });
    expect(() => createMockServer({ db: file })).toThrow(`the database ${file} is in use by another server`);
    first.close();
    first.close(); // idempotent
    createMockServer({ db: file }).close();
  });
});

describe('db ledger order', () => {
  const entry = (text: string): NewLedgerEntry => ({
    kind: 'message',
    role: 'user',
    text,
    toolCalls: [],
    toolCallId: null,
    name: null,
    runId: null,
    createdAt: 1,
  });

  it('seq keeps increasing across restarts and after a reset', () => {
    const file = join(dir, 'seq.db');
    const first = createMockServer({ db: file });
    first.memory.append('alice\u0000session:s', [entry('one'), entry('two')]);
    first.close();
    const second = createMockServer({ db: file });
    second.memory.append('alice\u0000session:s', [entry('three')]);
    const seqs = second.memory.list('alice\u0000session:s').map((e) => e.seq);
    expect(second.memory.list('alice\u0000session:s').map((e) => e.text)).toEqual(['one', 'two', 'three']);
    second.reset();
    second.memory.append('alice\u0000session:s', [entry('four')]);
    const [after] = second.memory.list('alice\u0000session:s');
    second.close();
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
    expect(after!.seq).toBeGreaterThan(seqs.at(-1)!);
  });
});

describe('entry points without node:sqlite', () => {
  it('neither the main nor the msw bundle imports node:sqlite (it is loaded on demand)', async () => {
    const entry = (name: string) => fileURLToPath(new URL(`../src/${name}.ts`, import.meta.url));
    const result = await build({
      entryPoints: [entry('index'), entry('msw')],
      outdir: join(dir, 'bundle'),
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      packages: 'external',
      external: ['node:*'],
      logLevel: 'silent',
    });
    const outputs = Object.values(result.metafile.outputs).filter((output) => output.entryPoint);
    expect(outputs).toHaveLength(2);
    for (const output of outputs) {
      expect(output.imports.map((i) => i.path)).not.toContain('node:sqlite');
    }
    // The store code is in the bundles all the same: node:sqlite is reached through getBuiltinModule.
    const texts = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => f.text);
    for (const text of texts) expect(text).toMatch(/getBuiltinModule\?\.\(['"]node:sqlite['"]\)/);
  });
});
