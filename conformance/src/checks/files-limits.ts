import { decodeSSE, ERROR_CODES, HEADERS, MAX_REQUEST_BYTES } from '@threadline/protocol';
import { fileObjectSchema, runRecordSchema } from '@threadline/protocol/schemas';
import { CheckSkipped, ensure, ensureErrorAnswer, ensureOk, ensureSchema } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  ensureCompletion,
  ensureNotFound,
  PLAIN_PROMPT,
  runRecord,
  runRecordBody,
  sendRawChatBody,
} from './support';

const family = { family: 'ingest-files' } as const;

/** Bytes that are not valid UTF-8, so a server that re-encodes text would be caught. */
function sampleBytes(ctx: CheckContext): Uint8Array {
  const seed = new TextEncoder().encode(ctx.uid('file'));
  const bytes = new Uint8Array(300);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + (seed[i % seed.length] ?? 0)) & 0xff;
  return bytes;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** A JSON turn; returns the completion and its run record. */
async function turnWithRun(ctx: CheckContext, body: Record<string, unknown>, what: string) {
  const completion = ensureCompletion(await ctx.send({ path: CHAT, json: body }), what);
  return { completion, run: await runRecord(ctx, completion.id) };
}

/** Stores bytes inline as the user `headers` name; returns the stored file's id (from the run record). */
async function storedFileId(ctx: CheckContext, bytes: Uint8Array, headers: Record<string, string>) {
  const content = [
    { type: 'text', text: 'Describe the attachment in one sentence.' },
    {
      type: 'file',
      file: { filename: 'private.bin', file_data: `data:application/octet-stream;base64,${base64(bytes)}` },
    },
  ];
  const body = ctx.chatBody([{ role: 'user', content }]);
  const completion = ensureCompletion(await ctx.send({ path: CHAT, json: body, headers }), 'an inline file');
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(completion.id)}`, headers });
  ensureOk(answer, `GET /v1/runs/${completion.id}`);
  const id = (answer.json as { file_ids?: unknown } | null)?.file_ids;
  const first = Array.isArray(id) ? id[0] : undefined;
  ensure(typeof first === 'string', 'the run lists no stored file', 'a file id in run.file_ids', answer.json);
  return first;
}

/** Sends bytes inline, finds the stored file through the run record, and reads it back. */
async function roundTrip(
  ctx: CheckContext,
  part: (data: string) => unknown,
  bytes: Uint8Array,
  what: string,
) {
  const content = [{ type: 'text', text: 'Describe the attachment in one sentence.' }, part(base64(bytes))];
  const { run } = await turnWithRun(ctx, ctx.chatBody([{ role: 'user', content }]), what);
  const id = run.file_ids[0];
  ensure(id, `${what}: the run lists no stored file`, 'a file id in run.file_ids', run);
  const meta = await ctx.send({ path: `/v1/files/${encodeURIComponent(id)}` });
  ensureOk(meta, `GET /v1/files/${id}`);
  // Only the size is read here: the file object's shape is files.object-shape's to judge.
  const file = (meta.json ?? {}) as { bytes?: unknown };
  ensure(
    file.bytes === bytes.byteLength,
    'the file object has the wrong size',
    `bytes ${bytes.byteLength}`,
    file,
  );
  const { response } = await ctx.open({ path: `/v1/files/${encodeURIComponent(id)}/content` });
  ensure(response.status === 200, 'the content route failed', 'HTTP 200', `HTTP ${response.status}`);
  const back = new Uint8Array(await response.arrayBuffer());
  ensure(
    back.byteLength === bytes.byteLength && back.every((b, i) => b === bytes[i]),
    'the stored bytes differ from the bytes sent',
    `${bytes.byteLength} identical bytes`,
    `${back.byteLength} bytes${back.byteLength === bytes.byteLength ? ', different content' : ''}`,
  );
}

let overLimitBody: Uint8Array | undefined;
let atLimitBody: { json: string; body: Uint8Array } | undefined;

/**
 * A valid chat body of exactly `size` bytes: the JSON, then spaces (JSON allows trailing whitespace),
 * so the server has nothing to parse but one short message. Built once per process.
 */
function paddedChatBody(ctx: CheckContext, size: number): Uint8Array {
  const json = JSON.stringify(ctx.chatBody(PLAIN_PROMPT));
  if (atLimitBody?.json !== json) {
    const body = new Uint8Array(size).fill(0x20);
    body.set(new TextEncoder().encode(json));
    atLimitBody = { json, body };
  }
  return atLimitBody.body;
}

/** Family 6 (files, limits, runs, cancel); ingest lives in ingest.ts. */
export const FILES_LIMITS_CHECKS: Check[] = [
  {
    ...family,
    id: 'files.inline-file.round-trip',
    title: "A file part's file_data comes back byte-identical from the files routes",
    capability: 'files',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.files,
    async run(ctx) {
      const bytes = sampleBytes(ctx);
      await roundTrip(
        ctx,
        (data) => ({
          type: 'file',
          file: { filename: 'sample.bin', file_data: `data:application/octet-stream;base64,${data}` },
        }),
        bytes,
        'an inline file',
      );
    },
  },
  {
    ...family,
    id: 'files.inline-image.round-trip',
    title: 'An image_url data URL is stored and comes back byte-identical',
    capability: 'files',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.files,
    async run(ctx) {
      // A 1×1 PNG with the run's marker appended after IEND, so every run stores distinct bytes.
      const png = Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
        'base64',
      );
      const bytes = new Uint8Array([...png, ...new TextEncoder().encode(ctx.uid('img'))]);
      await roundTrip(
        ctx,
        (data) => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } }),
        bytes,
        'an inline image',
      );
    },
  },
  {
    ...family,
    id: 'files.object-shape',
    title: 'GET /v1/files/{id} answers a valid file object',
    capability: 'files',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.files,
    async run(ctx) {
      const id = await storedFileId(ctx, sampleBytes(ctx), {});
      const meta = await ctx.send({ path: `/v1/files/${encodeURIComponent(id)}` });
      ensureOk(meta, `GET /v1/files/${id}`);
      ensureSchema(fileObjectSchema, meta.json, 'file object');
    },
  },
  {
    ...family,
    id: 'files.unknown-id',
    title: 'An unknown file id is 404 with an error body',
    capability: 'files',
    level: 'MUST',
    section: SECTIONS.files,
    async run(ctx) {
      await ensureNotFound(ctx, '/v1/files/file-conformance-missing');
    },
  },
  {
    ...family,
    id: 'files.other-user',
    title: 'A stored file is not readable by another user (404 or 403, metadata and content)',
    capability: 'files',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.files,
    async run(ctx) {
      const { userHeader } = ctx.dialect.memory;
      if (!userHeader) throw new CheckSkipped(`dialect ${ctx.dialect.name} names no user header`);
      const id = await storedFileId(ctx, sampleBytes(ctx), { [userHeader]: ctx.uid('owner') });
      const intruder = { [userHeader]: ctx.uid('intruder') };
      for (const path of [
        `/v1/files/${encodeURIComponent(id)}`,
        `/v1/files/${encodeURIComponent(id)}/content`,
      ]) {
        const answer = await ctx.send({ path, headers: intruder });
        // 404 (the file reads as missing) is what the reference server answers; 403 hides it too.
        ensure(
          answer.status === 404 || answer.status === 403,
          `GET ${path} as another user: the file was not refused`,
          'HTTP 404 (or 403)',
          `HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
        );
      }
    },
  },
  {
    ...family,
    id: 'limits.exactly-32mib',
    title: 'A body of exactly 32 MiB (33,554,432 bytes) is accepted',
    capability: 'limits',
    level: 'MUST',
    section: SECTIONS.limits,
    async run(ctx) {
      const answer = await sendRawChatBody(ctx, paddedChatBody(ctx, MAX_REQUEST_BYTES));
      ensure(
        answer.status !== 413,
        'a body of exactly the limit was refused as too large',
        `a body of ${MAX_REQUEST_BYTES} bytes accepted`,
        `HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
      );
      ensureCompletion(answer, `a ${MAX_REQUEST_BYTES}-byte chat body`);
    },
  },
  {
    ...family,
    id: 'limits.over-32mb',
    title: 'A body over 32 MiB is 413 payload_too_large, and the answer arrives',
    capability: 'limits',
    level: 'MUST',
    section: SECTIONS.limits,
    async run(ctx) {
      overLimitBody ??= new Uint8Array(MAX_REQUEST_BYTES + 1).fill(0x20);
      const answer = await sendRawChatBody(ctx, overLimitBody);
      ensureErrorAnswer(answer, { status: 413, code: ERROR_CODES.payloadTooLarge }, 'a 32 MiB + 1 byte body');
    },
  },
  {
    ...family,
    id: 'runs.record',
    title: 'GET /v1/runs/{id} returns the completed run with the turn’s usage',
    capability: 'runs',
    level: 'MUST',
    section: SECTIONS.runs,
    async run(ctx) {
      const completion = ensureCompletion(
        await ctx.send({ path: CHAT, json: ctx.chatBody('Say hello.') }),
        'a plain turn',
      );
      // The one check that judges the run record's schema; the others read records leniently.
      const run = ensureSchema(runRecordSchema, await runRecordBody(ctx, completion.id), 'run record');
      ensure(run.id === completion.id, 'the run id is not the completion id', completion.id, run.id);
      ensure(run.status === 'completed', 'the run is not completed', 'status completed', run.status);
      ensure(
        run.usage?.total_tokens === completion.usage?.total_tokens,
        'the run usage differs from the completion usage',
        JSON.stringify(completion.usage),
        run.usage,
      );
    },
  },
  {
    ...family,
    id: 'runs.run-id-header',
    title: 'A chat answer carries its run id in x-threadline-run-id',
    capability: 'runs',
    level: 'SHOULD',
    section: SECTIONS.endpoints,
    async run(ctx) {
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody('Say hello.') });
      const completion = ensureCompletion(answer, 'a plain turn');
      const header = answer.headers.get(HEADERS.runId);
      ensure(
        header === completion.id,
        'the run id header differs from the completion id',
        completion.id,
        header,
      );
    },
  },
  {
    ...family,
    id: 'runs.unknown-id',
    title: 'An unknown run id is 404 with an error body',
    capability: 'runs',
    level: 'MUST',
    section: SECTIONS.runs,
    async run(ctx) {
      await ensureNotFound(ctx, '/v1/runs/run_conformance_missing');
    },
  },
  {
    ...family,
    id: 'cancel.close-stream',
    title: 'Closing a stream cancels its run (recorded "cancelled")',
    capability: 'cancel',
    requires: ['runs', 'streaming'],
    level: 'MUST',
    section: SECTIONS.runs,
    async run(ctx) {
      const leave = new AbortController();
      const onAbort = () => leave.abort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      // A long answer, paced on servers that honour the pacing header, so the close lands mid-stream.
      const prompt = `Repeat this back: ${'the quick brown fox jumps over the lazy dog '.repeat(60)}`;
      const { response } = await ctx.open(
        { path: CHAT, json: ctx.chatBody(prompt, { stream: true }), headers: { [HEADERS.chunkDelay]: '5' } },
        leave.signal,
      );
      ensure(
        response.status === 200 && response.body,
        'the stream did not open',
        'HTTP 200',
        `HTTP ${response.status}`,
      );
      const runId = response.headers.get(HEADERS.runId) ?? (await firstChunkId(response.body));
      leave.abort();
      ensure(runId, 'no run id (header or first chunk)', 'a run id', null);
      let status = 'in_progress';
      for (let attempt = 0; attempt < 40 && status === 'in_progress'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        status = (await runRecord(ctx, runId)).status;
      }
      ensure(status === 'cancelled', 'the run was not cancelled', 'status cancelled', status);
      ctx.signal.removeEventListener('abort', onAbort);
    },
  },
];

/** Reads the first data frame and returns its `id`. */
async function firstChunkId(body: ReadableStream<Uint8Array>): Promise<string | null> {
  for await (const frame of decodeSSE(body)) {
    if (frame.event !== undefined) continue;
    try {
      const id = (JSON.parse(frame.data) as { id?: unknown }).id;
      return typeof id === 'string' ? id : null;
    } catch {
      return null;
    }
  }
  return null;
}
