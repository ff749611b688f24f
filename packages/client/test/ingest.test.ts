import { mkdirSync, mkdtempSync, openAsBlob, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  InternalServerError,
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

  it('ingests one object by gs:// key', async () => {
    const session = client.withOptions({ sessionId: 'gs' });
    const result = await session.ingest({ uri: 'gs://corp/docs/a.txt' });
    expect(result.status).toBe('success');
    expect(ref.server.journal.list().at(-1)?.query).toBe(`uri=${encodeURIComponent('gs://corp/docs/a.txt')}`);
    const answer = await ask(session, 'When does the launch window open?');
    expect(answer).toContain('zephyr-day');
    expect(answer).not.toContain('harbour-nine');
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

  it('uploads a web ReadableStream, reporting progress with an unknown total', async () => {
    const pieces = ['Web streams say: ', 'indigo-', 'sparrow.\n'].map((t) => new TextEncoder().encode(t));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(piece);
        controller.close();
      },
    });
    const progress: UploadProgress[] = [];
    const session = client.withOptions({ sessionId: 'web-stream' });
    const result = await session.ingest({
      file: body,
      filename: 'w.txt',
      onUploadProgress: (p) => progress.push(p),
    });
    expect(result.status).toBe('success');
    const total = pieces.reduce((n, p) => n + p.byteLength, 0);
    expect(progress.map((p) => p.total)).toEqual(pieces.map(() => null));
    expect(progress.at(-1)?.loaded).toBe(total);
    expect(await ask(session, 'What do web streams say?')).toContain('indigo-sparrow');
  });

  it('retries a failed upload of bytes, but sends a caller’s stream once', async () => {
    ref.server.faults.enqueue('status=503', 1);
    const bytes = new TextEncoder().encode('Retried bytes say: amber-otter.\n');
    const progress: UploadProgress[] = [];
    const retried = await client.ingest(
      { file: bytes, filename: 'r.txt', onUploadProgress: (p) => progress.push(p) },
      { sessionId: 'retry' },
    );
    expect(retried.status).toBe('success');
    const uploads = () => ref.server.journal.list().filter((e) => e.path === '/v1/ingest');
    expect(uploads().map((e) => e.status)).toEqual([503, 200]);
    expect(progress.at(-1)).toEqual({ loaded: bytes.byteLength, total: bytes.byteLength });

    ref.server.reset();
    ref.server.faults.enqueue('status=503', 1);
    const stream = Readable.from([Buffer.from('Streams are sent once.\n')]);
    const error = await client
      .ingest({ file: stream, filename: 's.txt' }, { sessionId: 'retry' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(uploads()).toHaveLength(1);
  });

  it('stops a streamed upload as it passes the 32 MB limit', async () => {
    const mb = new Uint8Array(1024 * 1024);
    async function* endless() {
      for (let i = 0; i < 40; i++) yield mb;
    }
    const error = await client
      .ingest({ file: endless(), filename: 'huge.bin' }, { sessionId: 'huge', maxRetries: 0 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RequestTooLargeError);
    expect(error.bytes).toBeGreaterThan(MAX_REQUEST_BYTES);
    expect(error.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES + mb.byteLength);
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
