import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestResponseSchema } from '@threadline/protocol/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { makePdf } from './support/pdf';
import { chat, TARGETS, type Target, userSays } from './support/target';

const base = mkdtempSync(join(tmpdir(), 'threadline-ingest-'));
const uploads = join(base, 'uploads');
const bucket = join(base, 'bucket');
const outside = join(base, 'outside');
for (const dir of [uploads, join(uploads, 'notes'), bucket, join(bucket, 'reports'), outside]) mkdirSync(dir);
writeFileSync(join(uploads, 'notes', 'ferry.md'), '# Ferry\n\nThe ferry departs from pier NIGHTJAR-4.\n');
writeFileSync(join(uploads, 'notes', 'menu.txt'), 'Lunch is served at noon.\n');
writeFileSync(join(outside, 'secret.txt'), 'The secret is OUTSIDE-1.\n');
symlinkSync(join(outside, 'secret.txt'), join(uploads, 'escape.txt'));
symlinkSync(join(outside, 'secret.txt'), join(bucket, 'reports', 'leak.txt'));
writeFileSync(
  join(bucket, 'reports', 'q3.json'),
  JSON.stringify({ quarter: 'Q3', revenue: { total: 'MARMOT-77' } }),
);
writeFileSync(join(bucket, 'reports', 'q4.md'), 'The Q4 budget owner is Priya KESTREL.\n');
writeFileSync(join(bucket, 'readme.txt'), 'Top-level readme.\n');

afterAll(() => rmSync(base, { recursive: true, force: true }));

const session = (id: string, user?: string) => ({
  'x-session-id': id,
  ...(user ? { 'x-user-id': user } : {}),
});

const ingest = (target: Target, query: string, headers: Record<string, string>, body?: BodyInit) =>
  target.fetch(`/v1/ingest?${query}`, { method: 'POST', headers, ...(body ? { body } : {}) });

const ask = async (target: Target, question: string, headers: Record<string, string>) =>
  (await (await chat(target, { messages: userSays(question) }, headers)).json()).choices[0].message
    .content as string;

async function errorCode(response: Response) {
  return { status: response.status, code: (await response.json()).error.code };
}

describe.each(TARGETS)('POST /v1/ingest (%s)', (_name, make) => {
  it('ingests the demo document (default upload dir) and later turns of the session retrieve it', async () => {
    const target = await make();
    try {
      const response = await ingest(target, 'file_path=threadline-demo.md', session('demo'));
      expect(response.status).toBe(200);
      const body = ingestResponseSchema.parse(await response.json());
      expect(body.tokens_processed).toBeGreaterThan(20);
      expect(await ask(target, 'What is the launch code?', session('demo'))).toContain('AMBER-FALCON-7');
      expect(await ask(target, 'What is the launch code?', session('demo', 'someone-else'))).not.toContain(
        'AMBER',
      );
      expect(await ask(target, 'What is the launch code?', session('other'))).not.toContain('AMBER');
    } finally {
      await target.close();
    }
  });

  it('reads files and folders relative to --upload-dir and refuses every way out', async () => {
    const target = await make({ uploadDir: uploads });
    try {
      expect((await ingest(target, 'file_path=notes', session('s'))).status).toBe(200);
      expect(await ask(target, 'Which pier does the ferry depart from?', session('s'))).toContain(
        'NIGHTJAR-4',
      );
      for (const path of [
        '../outside/secret.txt',
        '/etc/passwd',
        'notes/../../outside/secret.txt',
        'escape.txt',
      ]) {
        expect(
          await errorCode(await ingest(target, `file_path=${encodeURIComponent(path)}`, session('s'))),
        ).toEqual({
          status: 400,
          code: 'invalid_path',
        });
      }
      expect(await ask(target, 'What is the secret?', session('s'))).not.toContain('OUTSIDE');
      expect(await errorCode(await ingest(target, 'file_path=nope.txt', session('s')))).toEqual({
        status: 404,
        code: 'not_found',
      });
    } finally {
      await target.close();
    }
  });

  it('reads from ICE_UPLOAD_DIR when no upload dir is configured; the config wins over it', async () => {
    const saved = process.env.ICE_UPLOAD_DIR;
    process.env.ICE_UPLOAD_DIR = uploads;
    const fromEnv = await make();
    const configured = await make({ uploadDir: join(uploads, 'notes') });
    try {
      expect((await ingest(fromEnv, 'file_path=notes/ferry.md', session('env'))).status).toBe(200);
      expect(await ask(fromEnv, 'Which pier does the ferry depart from?', session('env'))).toContain(
        'NIGHTJAR-4',
      );
      // The demo folder is not read any more, and an explicit uploadDir beats the env.
      expect(await errorCode(await ingest(fromEnv, 'file_path=threadline-demo.md', session('env')))).toEqual({
        status: 404,
        code: 'not_found',
      });
      expect((await ingest(configured, 'file_path=ferry.md', session('cfg'))).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.ICE_UPLOAD_DIR;
      else process.env.ICE_UPLOAD_DIR = saved;
      await Promise.all([fromEnv.close(), configured.close()]);
    }
  });

  it('an upload directory that does not exist is a typed 404 for file_path, never a 5xx', async () => {
    const target = await make({ uploadDir: join(base, 'no-such-dir') });
    try {
      const response = await ingest(target, 'file_path=notes/ferry.md', session('gone'));
      expect(response.status).toBe(404);
      expect((await response.json()).error).toMatchObject({ code: 'not_found' });
    } finally {
      await target.close();
    }
  });

  it('skips links out of the directory when ingesting a whole folder', async () => {
    const target = await make({ uploadDir: uploads });
    try {
      const response = await ingest(target, 'file_path=.', session('all'));
      expect(response.status).toBe(200);
      expect((await response.json()).message).toContain('2 files');
      expect(await ask(target, 'Which pier does the ferry depart from?', session('all'))).toContain(
        'NIGHTJAR-4',
      );
      expect(await ask(target, 'What is the secret?', session('all'))).not.toContain('OUTSIDE');
    } finally {
      await target.close();
    }
  });

  it('ingests from configured buckets: one key, a prefix, and typed errors for the rest', async () => {
    const target = await make({ buckets: { acme: bucket } });
    try {
      const one = await ingest(target, 'uri=s3://acme/reports/q3.json', session('b'));
      expect((await one.json()).message).toContain('s3://acme/reports/q3.json');
      expect(await ask(target, 'What was the total revenue?', session('b'))).toContain(
        'revenue.total: MARMOT-77',
      );
      const prefix = await (
        await ingest(target, `uri=${encodeURIComponent('gs://acme/reports/')}`, session('p'))
      ).json();
      expect(prefix.message).toContain('2 files');
      expect(await ask(target, 'Who is the budget owner?', session('p'))).toContain('KESTREL');
      expect(await ask(target, 'What is in the readme?', session('p'))).not.toContain('Top-level');
      expect(await errorCode(await ingest(target, 'uri=s3://nobucket/x', session('b')))).toEqual({
        status: 404,
        code: 'not_found',
      });
      expect(await errorCode(await ingest(target, 'uri=s3://acme/missing/', session('b')))).toEqual({
        status: 404,
        code: 'not_found',
      });
      // A link in the bucket's folder that leads out of it is no object: neither by key nor by prefix.
      expect(await errorCode(await ingest(target, 'uri=s3://acme/reports/leak.txt', session('b')))).toEqual({
        status: 404,
        code: 'not_found',
      });
      expect(await ask(target, 'What is the secret?', session('p'))).not.toContain('OUTSIDE');
      expect(await errorCode(await ingest(target, 'uri=s3://acme/../outside', session('b')))).toEqual({
        status: 400,
        code: 'invalid_path',
      });
    } finally {
      await target.close();
    }
  });

  it('ingests a request body: a PDF with deflated text, and refuses what it cannot read', async () => {
    const target = await make();
    try {
      const pdf = makePdf(['Quarterly report.', 'The audit reference is PUFFIN-602.']);
      const response = await ingest(target, 'filename=report.pdf', session('pdf'), pdf);
      expect(response.status).toBe(200);
      expect(await ask(target, 'What is the audit reference?', session('pdf'))).toContain(
        'The audit reference is PUFFIN-602.',
      );
      const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
      expect(await errorCode(await ingest(target, 'filename=blob.bin', session('pdf'), binary))).toEqual({
        status: 415,
        code: 'unsupported_media_type',
      });
      expect(await errorCode(await ingest(target, 'filename=bad.json', session('pdf'), '{nope'))).toEqual({
        status: 400,
        code: 'invalid_value',
      });
    } finally {
      await target.close();
    }
  });

  it('needs a session and exactly one source', async () => {
    const target = await make();
    try {
      expect(await errorCode(await ingest(target, 'file_path=threadline-demo.md', {}))).toEqual({
        status: 400,
        code: 'missing_required_parameter',
      });
      expect(await errorCode(await ingest(target, '', session('x')))).toEqual({
        status: 400,
        code: 'missing_required_parameter',
      });
      expect(await errorCode(await ingest(target, 'file_path=a&uri=s3://b/c', session('x')))).toEqual({
        status: 400,
        code: 'invalid_value',
      });
    } finally {
      await target.close();
    }
  });
});
