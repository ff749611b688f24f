import { mkdirSync, mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  RequestTooLargeError,
  Threadline,
  ThreadlineError,
  type UploadProgress,
} from '../src/index';
import { realServer } from './support/server';

describe('ingest (real port)', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let root: string;
  let client: Threadline;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'threadline-ingest-'));
    mkdirSync(join(root, 'uploads'));
    mkdirSync(join(root, 'bucket', 'docs'), { recursive: true });
    writeFileSync(join(root, 'uploads', 'vault.md'), 'The vault code word is periwinkle-4471.\n');
    writeFileSync(
      join(root, 'bucket', 'docs', 'a.txt'),
      'The launch window opens on a Tuesday called zephyr-day.\n',
    );
    writeFileSync(join(root, 'bucket', 'docs', 'b.txt'), 'The backup site lives in harbour-nine.\n');
    ref = await realServer({ uploadDir: join(root, 'uploads'), buckets: { corp: join(root, 'bucket') } });
    client = new Threadline({ baseURL: ref.url });
  });
  afterAll(async () => {
    await ref.close();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => ref.server.reset());

  const ask = (session: Threadline, question: string) =>
    session.chat.completions
      .create({ model: '', messages: [{ role: 'user', content: question }] })
      .then((c) => c.choices[0]?.message.content ?? '');

  it('ingests a server-side path into the session, where later turns can retrieve it', async () => {
    const session = client.withOptions({ sessionId: 'vault', userId: 'alice' });
    const result = await session.ingest({ filePath: 'vault.md' });
    expect(result.status).toBe('success');
    expect(result.tokens_processed).toBeGreaterThan(0);
    expect(typeof result.message).toBe('string');
    const entry = ref.server.journal.list().at(-1)!;
    expect(entry.path).toBe('/v1/ingest');
    expect(entry.query).toBe('file_path=vault.md');
    expect(entry.headers).toMatchObject({ 'x-session-id': 'vault', 'x-user-id': 'alice' });
    expect(await ask(session, 'What is the vault code word?')).toContain('periwinkle-4471');
    expect(
      await ask(
        client.withOptions({ sessionId: 'vault', userId: 'mallory' }),
        'What is the vault code word?',
      ),
    ).not.toContain('periwinkle-4471');
  });

  it('ingests every object under an s3:// prefix', async () => {
    const session = client.withOptions({ sessionId: 'bucket' });
    const result = await session.ingest({ uri: 's3://corp/docs/' });
    expect(result.status).toBe('success');
    expect(await ask(session, 'Where does the backup site live?')).toContain('harbour-nine');
  });

  it('uploads a Blob with upload progress', async () => {
    const path = join(root, 'local.md');
    writeFileSync(path, `Local notes: the ferry leaves at dawn-0630.\n${'filler text. '.repeat(20_000)}`);
    const blob = await openAsBlob(path);
    const progress: UploadProgress[] = [];
    const session = client.withOptions({ sessionId: 'upload' });
    const result = await session.ingest({
      file: blob,
      filename: 'local.md',
      onUploadProgress: (p) => progress.push(p),
    });
    expect(result.status).toBe('success');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ loaded: blob.size, total: blob.size });
    expect(ref.server.journal.list().at(-1)?.query).toBe('filename=local.md');
    expect(await ask(session, 'When does the ferry leave?')).toContain('dawn-0630');
  });

  it('uploads bytes and a Node stream', async () => {
    const session = client.withOptions({ sessionId: 'bytes' });
    await session.ingest({
      file: new TextEncoder().encode('Bytes say: quartz-lantern.\n'),
      filename: 'b.txt',
    });
    const stream = Readable.from([Buffer.from('Streams say: '), Buffer.from('copper-kettle.\n')]);
    const result = await session.ingest({ file: stream, filename: 's.txt' });
    expect(result.status).toBe('success');
    expect(await ask(session, 'What do streams say?')).toContain('copper-kettle');
  });

  it('surfaces a refused path as a typed error', async () => {
    const error = await client.ingest({ filePath: '../etc/passwd' }, { sessionId: 's' }).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('invalid_path');
  });

  it('refuses bad input before sending', async () => {
    await expect(client.ingest({} as never)).rejects.toThrow(/exactly one of filePath, uri or file/);
    await expect(client.ingest({ file: new Uint8Array(1), filename: '' })).rejects.toBeInstanceOf(
      ThreadlineError,
    );
    const big = new Blob([new Uint8Array(MAX_REQUEST_BYTES + 1)]);
    await expect(client.ingest({ file: big, filename: 'big.bin' })).rejects.toBeInstanceOf(
      RequestTooLargeError,
    );
    expect(ref.server.journal.list()).toHaveLength(0);
  });
});
