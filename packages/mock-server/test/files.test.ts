import { fileObjectSchema, runRecordSchema } from '@threadline/protocol/schemas';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_PIECE_BYTES } from '../src/index';
import { chat, errorOf, TARGETS, type Target } from './support/target';

// A 1×1 transparent PNG.
const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
);
const PDF = new TextEncoder().encode('%PDF-1.4\n% fake invoice\n');
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

const withParts = (...parts: unknown[]) => [
  { role: 'user', content: [{ type: 'text', text: 'What is wrong?' }, ...parts] },
];

describe.each(TARGETS)('content parts and stored files (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  const runOf = async (response: Response) => {
    const id = response.headers.get('x-threadline-run-id')!;
    return runRecordSchema.parse(await (await target.fetch(`/v1/runs/${id}`)).json());
  };

  it('stores an image data URL and a file part as files the run references', async () => {
    const response = await chat(target, {
      messages: withParts(
        { type: 'image_url', image_url: { url: `data:image/png;base64,${b64(PNG)}` } },
        {
          type: 'file',
          file: { filename: 'invoice.pdf', file_data: `data:application/pdf;base64,${b64(PDF)}` },
        },
      ),
    });
    expect(response.status).toBe(200);
    const run = await runOf(response);
    expect(run.file_ids).toHaveLength(2);
    const [imageId, fileId] = run.file_ids as [string, string];

    const image = fileObjectSchema.parse(await (await target.fetch(`/v1/files/${imageId}`)).json());
    expect(image).toMatchObject({
      id: imageId,
      object: 'file',
      bytes: PNG.byteLength,
      mime_type: 'image/png',
    });
    const imageBytes = await target.fetch(`/v1/files/${imageId}/content`);
    expect(imageBytes.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await imageBytes.arrayBuffer())).toEqual(PNG);

    const file = fileObjectSchema.parse(await (await target.fetch(`/v1/files/${fileId}`)).json());
    expect(file).toMatchObject({
      filename: 'invoice.pdf',
      bytes: PDF.byteLength,
      mime_type: 'application/pdf',
    });
    const fileBytes = await target.fetch(`/v1/files/${fileId}/content`);
    expect(fileBytes.headers.get('content-type')).toBe('application/pdf');
    expect(fileBytes.headers.get('content-disposition')).toBe(
      `attachment; filename="invoice.pdf"; filename*=UTF-8''invoice.pdf`,
    );
    expect(new Uint8Array(await fileBytes.arrayBuffer())).toEqual(PDF);

    const text = (await response.json()).choices[0].message.content;
    expect(text).toContain(imageId);
    expect(text).toContain(`file invoice.pdf ${fileId} (application/pdf, ${PDF.byteLength} bytes)`);
  });

  it('gives back every byte value unchanged, small and large, from a data URL and from file_data', async () => {
    for (const size of [256, 100_000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
      const response = await chat(target, {
        messages: withParts(
          {
            type: 'image_url',
            image_url: { url: `data:image/webp;base64,${Buffer.from(bytes).toString('base64')}` },
          },
          {
            type: 'file',
            file: { filename: 'blob.bin', file_data: Buffer.from(bytes).toString('base64url') },
          },
        ),
      });
      const ids = (await runOf(response)).file_ids;
      expect(ids).toHaveLength(2);
      for (const id of ids) {
        const content = await target.fetch(`/v1/files/${id}/content`);
        expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
      }
    }
  });

  it('accepts bare base64 file_data, typed by the filename', async () => {
    const response = await chat(target, {
      messages: withParts({
        type: 'file',
        file: { filename: 'notes.txt', file_data: b64(new TextEncoder().encode('hello')) },
      }),
    });
    const [id] = (await runOf(response)).file_ids;
    const file = await (await target.fetch(`/v1/files/${id}`)).json();
    expect(file).toMatchObject({ filename: 'notes.txt', mime_type: 'text/plain', bytes: 5 });
    expect(await (await target.fetch(`/v1/files/${id}/content`)).text()).toBe('hello');
  });

  it('passes an https image URL by reference without storing it', async () => {
    const response = await chat(target, {
      messages: withParts({
        type: 'image_url',
        image_url: { url: 'https://example.com/cat.png', detail: 'low' },
      }),
    });
    expect((await runOf(response)).file_ids).toEqual([]);
    expect((await response.json()).choices[0].message.content).toContain('image https://example.com/cat.png');
  });

  it('reuses a stored file for the same bytes and lets a later turn cite it by file_id', async () => {
    const part = {
      type: 'file',
      file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${b64(PDF)}` },
    };
    const first = (await runOf(await chat(target, { messages: withParts(part) }))).file_ids[0]!;
    const again = (await runOf(await chat(target, { messages: withParts(part) }))).file_ids[0]!;
    expect(again).toBe(first);
    const cited = await chat(target, { messages: withParts({ type: 'file', file: { file_id: first } }) });
    expect((await runOf(cited)).file_ids).toEqual([first]);
  });

  it('rejects bad inline data and unknown file ids with 400 naming the part', async () => {
    const badUrl = await chat(target, {
      messages: withParts({ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }),
    });
    expect(await errorOf(badUrl)).toMatchObject({
      status: 400,
      param: 'messages[0].content[1].image_url.url',
    });
    const badData = await chat(target, {
      messages: withParts({ type: 'file', file: { filename: 'x.pdf', file_data: 'not base64!!' } }),
    });
    expect(await errorOf(badData)).toMatchObject({
      status: 400,
      param: 'messages[0].content[1].file.file_data',
    });
    const unknown = await chat(target, {
      messages: withParts({ type: 'file', file: { file_id: 'file-nope' } }),
    });
    expect(await errorOf(unknown)).toMatchObject({
      status: 400,
      param: 'messages[0].content[1].file.file_id',
    });
  });

  it('answers 404 for a file that does not exist', async () => {
    expect(await errorOf(await target.fetch('/v1/files/file-missing'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect((await target.fetch('/v1/files/file-missing/content')).status).toBe(404);
  });
});

describe.each(TARGETS)('files belong to the identity that stored them (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ auth: { apiKeys: ['key-a', 'key-b'] } });
  });
  afterAll(() => target.close());

  it('hides one key holder’s files and runs from another', async () => {
    const response = await chat(
      target,
      {
        messages: withParts({
          type: 'file',
          file: { filename: 'secret.txt', file_data: b64(new TextEncoder().encode('s3cret')) },
        }),
      },
      { authorization: 'Bearer key-a' },
    );
    const runId = response.headers.get('x-threadline-run-id')!;
    const run = await (
      await target.fetch(`/v1/runs/${runId}`, { headers: { authorization: 'Bearer key-a' } })
    ).json();
    const fileId = run.file_ids[0];
    expect(
      (await target.fetch(`/v1/files/${fileId}`, { headers: { authorization: 'Bearer key-a' } })).status,
    ).toBe(200);
    for (const path of [`/v1/files/${fileId}`, `/v1/files/${fileId}/content`, `/v1/runs/${runId}`]) {
      const other = await target.fetch(path, { headers: { authorization: 'Bearer key-b' } });
      expect(other.status).toBe(404);
      expect(await other.text()).not.toContain('s3cret');
    }
  });
});

/** Reads a body until it ends, fails, or sends nothing for `quietMs` (a stall: it is then cancelled). */
async function readUntilQuiet(response: Response, quietMs = 200) {
  const reader = response.body!.getReader();
  const parts: Uint8Array[] = [];
  let outcome: 'ended' | 'stalled' | 'failed' = 'ended';
  let error: unknown = null;
  try {
    while (true) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), quietMs);
        }),
      ]);
      clearTimeout(timer);
      if (next === null) {
        outcome = 'stalled';
        break;
      }
      if (next.done) break;
      parts.push(next.value);
    }
  } catch (caught) {
    outcome = 'failed';
    error = caught;
  }
  if (outcome === 'stalled') await reader.cancel().catch(() => {});
  return { bytes: Buffer.concat(parts), outcome, error };
}

// 2.5 pieces, in a pattern that shows which bytes arrived.
const BIG = Uint8Array.from({ length: DOWNLOAD_PIECE_BYTES * 2.5 }, (_, i) => (i * 7) % 251);
const SMALL = new TextEncoder().encode('smaller than one piece');

describe.each(TARGETS)('stall-after and drop-after on file downloads (%s)', (_name, make) => {
  let target: Target;
  let big: string;
  let small: string;
  const store = async (t: Target, bytes: Uint8Array, filename: string) => {
    const file_data = Buffer.from(bytes).toString('base64');
    const response = await chat(t, { messages: withParts({ type: 'file', file: { filename, file_data } }) });
    const id = response.headers.get('x-threadline-run-id')!;
    return (await (await t.fetch(`/v1/runs/${id}`)).json()).file_ids[0] as string;
  };
  const download = (id: string, spec?: string) =>
    target.fetch(`/v1/files/${id}/content`, spec ? { headers: { 'x-threadline-fault': spec } } : {});
  beforeAll(async () => {
    target = await make();
    big = await store(target, BIG, 'big.bin');
    small = await store(target, SMALL, 'small.txt');
  });
  afterEach(() => target.server.faults.clear());
  afterAll(() => target.close());

  it('stall-after=1 sends exactly the first piece, then nothing, the body left open', async () => {
    const response = await download(big, 'stall-after=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    // Chunked: without a length, a client can tell the body never ended.
    expect(response.headers.get('content-length')).toBeNull();
    const read = await readUntilQuiet(response);
    expect(read.outcome).toBe('stalled');
    expect(read.bytes).toEqual(Buffer.from(BIG.subarray(0, DOWNLOAD_PIECE_BYTES)));
  });

  it('drop-after=1 (queued) sends the first piece, then breaks the connection', async () => {
    target.server.faults.enqueue('drop-after=1');
    const read = await readUntilQuiet(await download(big));
    expect(read.outcome).toBe('failed');
    // Over a port the socket closes mid-body; in-process the body stream errors.
    if (target.name === 'real port') {
      expect(read.error).toMatchObject({ cause: { code: 'UND_ERR_SOCKET' } });
    } else expect(String(read.error)).toMatch(/connection dropped/);
    expect(read.bytes).toEqual(Buffer.from(BIG.subarray(0, DOWNLOAD_PIECE_BYTES)));
    // One-shot: the next download is whole again.
    expect(Buffer.from(await (await download(big)).arrayBuffer())).toEqual(Buffer.from(BIG));
  });

  it('n ≥ the pieces: the whole file arrives, then the fault fires before the body ends', async () => {
    const stalled = await readUntilQuiet(await download(small, 'stall-after=1'));
    expect(stalled).toMatchObject({ outcome: 'stalled', bytes: Buffer.from(SMALL) });
    const dropped = await readUntilQuiet(await download(small, 'drop-after=1'));
    expect(dropped).toMatchObject({ outcome: 'failed', bytes: Buffer.from(SMALL) });
    const pastEnd = await readUntilQuiet(await download(big, 'stall-after=3'));
    expect(pastEnd).toMatchObject({ outcome: 'stalled', bytes: Buffer.from(BIG) });
  });

  it('leaves a download whole without those faults (chat-only stream faults do not apply)', async () => {
    for (const spec of [undefined, 'error-frame-after=0', 'malformed-chunk-after=0; no-done']) {
      const response = await download(big, spec);
      // Over a port an unfaulted download is one write with its length.
      if (target.name === 'real port') {
        expect(response.headers.get('content-length')).toBe(String(BIG.length));
      }
      const read = await readUntilQuiet(response);
      expect(read).toMatchObject({ outcome: 'ended', bytes: Buffer.from(BIG) });
    }
  });

  it('applies a configured fault to every download', async () => {
    const faulty = await make({ faults: 'drop-after=2' });
    try {
      const id = await store(faulty, BIG, 'big.bin');
      const read = await readUntilQuiet(await faulty.fetch(`/v1/files/${id}/content`));
      expect(read.outcome).toBe('failed');
      expect(read.bytes).toEqual(Buffer.from(BIG.subarray(0, 2 * DOWNLOAD_PIECE_BYTES)));
    } finally {
      await faulty.close();
    }
  });
});
