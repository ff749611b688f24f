import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { DOWNLOAD_PIECE_BYTES } from '@threadline/mock-server';
import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  filePart,
  imagePart,
  RequestTooLargeError,
  StreamIdleTimeoutError,
  textPart,
} from '../src/index';
import { journal, useServer } from './support/server';

// A 1×1 PNG.
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==',
    'base64',
  ),
);
const PDF = new TextEncoder().encode('%PDF-1.4\n% a tiny test document\n%%EOF\n');

describe('content parts, stored files and the request size limit (real port)', () => {
  const ref = useServer({ over: 'port' });

  async function send(parts: Parameters<typeof Promise.all>[0]) {
    const content = await Promise.all(parts);
    const completion = await ref.client.chat.completions.create({
      model: '',
      messages: [{ role: 'user', content: content as never }],
    });
    const run = await ref.client.runs.retrieve(completion.id);
    return { completion, run };
  }

  it('turns image bytes into a data URL part the server stores as a file, read back byte for byte', async () => {
    const { completion, run } = await send([textPart('look'), imagePart(PNG, { detail: 'low' })]);
    expect(completion.choices[0]?.message.content).toContain(`(image/png, ${PNG.byteLength} bytes)`);
    expect(run.file_ids).toHaveLength(1);
    const id = run.file_ids[0]!;
    const meta = await ref.client.files.retrieve(id);
    expect(meta).toMatchObject({ id, object: 'file', bytes: PNG.byteLength, mime_type: 'image/png' });
    const content = await ref.client.files.content(id);
    expect(content.contentType).toBe('image/png');
    expect(await content.bytes()).toEqual(PNG);
  });

  it('streams a stored file body (for writing to disk)', async () => {
    const { run } = await send([
      filePart(new Blob([PDF], { type: 'application/pdf' }), { filename: 'doc.pdf' }),
    ]);
    const content = await ref.client.files.content(run.file_ids[0]!);
    const pieces: Uint8Array[] = [];
    for await (const piece of content.body as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
    expect(Buffer.concat(pieces)).toEqual(Buffer.from(PDF));
    expect((await ref.client.files.retrieve(run.file_ids[0]!)).filename).toBe('doc.pdf');
  });

  it('names a file part after a File and sniffs its type', async () => {
    const part = await filePart(new File([PDF], 'report.pdf'));
    expect(part.file.filename).toBe('report.pdf');
    expect(part.file.file_data).toMatch(/^data:application\/pdf;base64,/);
    expect((await imagePart(PNG.buffer as ArrayBuffer)).image_url.url).toMatch(
      /^data:image\/png;base64,iVBOR/,
    );
  });

  it('passes an https image URL by reference (nothing stored)', async () => {
    const { completion, run } = await send([imagePart(new URL('https://example.com/cat.png'))]);
    expect(completion.choices[0]?.message.content).toMatch(/image https:\/\/example\.com\/cat\.png/);
    expect(run.file_ids).toEqual([]);
  });

  it('downloads an http(s) URL into a file part', async () => {
    const { run } = await send([filePart(PDF, { filename: 'a.pdf' })]);
    const url = `${ref.url}/v1/files/${run.file_ids[0]}/content`;
    const part = await filePart(url);
    expect(Buffer.from(part.file.file_data!.split(',')[1]!, 'base64')).toEqual(Buffer.from(PDF));
    expect(part.file.filename).toBe('content');
  });

  it('refuses a part over the 32 MB limit before encoding or sending it', async () => {
    const big = new Uint8Array(Math.floor((MAX_REQUEST_BYTES / 4) * 3) + 3);
    const error = await imagePart(big, { mimeType: 'image/png' }).catch((e) => e);
    expect(error).toBeInstanceOf(RequestTooLargeError);
    expect(error.bytes).toBeGreaterThan(MAX_REQUEST_BYTES);
    await expect(filePart(new Blob([big]))).rejects.toBeInstanceOf(RequestTooLargeError);
  });

  it('refuses a request body over 32 MB with nothing sent', async () => {
    const text = 'é'.repeat(MAX_REQUEST_BYTES / 2 + 1);
    const error = await ref.client.chat.completions
      .create({ model: '', messages: [{ role: 'user', content: text }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RequestTooLargeError);
    expect(error.message).toMatch(/nothing was sent/);
    expect(ref.server.journal.list()).toHaveLength(0);
  });

  // Two and a bit pieces of the server's faulted downloads, in a pattern that shows which bytes came.
  const BIG = Uint8Array.from({ length: DOWNLOAD_PIECE_BYTES * 2 + 100 }, (_, i) => (i * 7) % 251);
  const FIRST_PIECE = Buffer.from(BIG.subarray(0, DOWNLOAD_PIECE_BYTES));
  const storeBig = async () => (await send([filePart(BIG, { filename: 'big.bin' })])).run.file_ids[0]!;
  const fault = (spec: string) => ({ 'x-threadline-fault': spec });

  /** Reads a download's body piece by piece: what arrived, and the error that ended it. */
  async function drain(body: ReadableStream<Uint8Array> | null) {
    const pieces: Uint8Array[] = [];
    try {
      for await (const piece of body as unknown as AsyncIterable<Uint8Array>) pieces.push(piece);
      return { bytes: Buffer.concat(pieces), error: null };
    } catch (error) {
      return { bytes: Buffer.concat(pieces), error };
    }
  }

  it('fails a stalled download with StreamIdleTimeoutError promptly; the server sees it closed', async () => {
    const id = await storeBig();
    // The server-side socket of each download, to see it close.
    const sockets: Socket[] = [];
    const onRequest = (req: IncomingMessage) => {
      if (req.url?.endsWith('/content')) sockets.push(req.socket);
    };
    ref.httpServer!.on('request', onRequest);
    try {
      const content = await ref.client.files.content(id, {
        streamIdleTimeout: 200,
        headers: fault('stall-after=1'),
      });
      const started = Date.now();
      const error = await content.bytes().catch((e) => e);
      expect(error).toBeInstanceOf(StreamIdleTimeoutError);
      expect(error.message).toBe('Download sent no bytes for 200 ms.');
      expect(Date.now() - started).toBeLessThan(3000);
      await expect.poll(() => sockets[0]?.destroyed).toBe(true);

      // Streamed, the first piece arrives before the stall.
      const streamed = await ref.client.files.content(id, {
        streamIdleTimeout: 200,
        headers: fault('stall-after=1'),
      });
      const read = await drain(streamed.body);
      expect(read.bytes).toEqual(FIRST_PIECE);
      expect(read.error).toBeInstanceOf(StreamIdleTimeoutError);

      // The server is fine: the next download is whole, on a fresh connection.
      expect(await (await ref.client.files.content(id)).bytes()).toEqual(BIG);
      expect(journal(ref.server).filter((e) => e.path.endsWith('/content'))).toHaveLength(3);
      expect(new Set(sockets).size).toBe(3);
    } finally {
      ref.httpServer!.off('request', onRequest);
    }
  });

  it('fails a dropped download with APIConnectionError after the bytes that came', async () => {
    const id = await storeBig();
    ref.server.faults.enqueue('drop-after=1');
    const read = await drain((await ref.client.files.content(id)).body);
    expect(read.bytes).toEqual(FIRST_PIECE);
    expect(read.error).toBeInstanceOf(APIConnectionError);
    expect(read.error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect((read.error as Error).message).toMatch(/^Connection error: /);

    const whole = await ref.client.files.content(id, { headers: fault('drop-after=1') });
    await expect(whole.bytes()).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('retries a download stalled before its first byte (its headers never came)', async () => {
    const id = await storeBig();
    ref.server.faults.enqueue('stall-after=0');
    const content = await ref.client.files.content(id, { streamIdleTimeout: 200, maxRetries: 1 });
    expect(await content.bytes()).toEqual(BIG);
    expect(journal(ref.server).filter((e) => e.path.endsWith('/content'))).toHaveLength(2);
  });

  it('rejects a source that is neither bytes nor a URL', async () => {
    await expect(imagePart('cat.png')).rejects.toThrow(/http\(s\) URL, a data: URL, bytes or a Blob/);
  });
});
