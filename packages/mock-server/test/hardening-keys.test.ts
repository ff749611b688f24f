import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { chat, errorOf, postJson, TARGETS, type Target, userSays } from './support/target';

/** Names Object.prototype answers to: every lookup keyed by caller input must treat them as plain names. */
const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'] as const;

const base = mkdtempSync(join(tmpdir(), 'threadline-keys-'));
const bucket = join(base, 'bucket');
mkdirSync(bucket);
writeFileSync(join(bucket, 'readme.txt'), 'The bucket readme.\n');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const fileMessage = (filename: string) => [
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Read this.' },
      { type: 'file', file: { filename, file_data: btoa('plain notes') } },
    ],
  },
];

describe.each(TARGETS)('object-prototype names as keys (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ buckets: { reports: bucket } });
  });
  afterAll(async () => target.close());

  it('answers an ingest URI naming such a bucket with 404 not_found', async () => {
    for (const name of PROTO_NAMES) {
      for (const uri of [`s3://${name}/x`, `gs://${name}/`]) {
        const response = await target.fetch(`/v1/ingest?uri=${encodeURIComponent(uri)}`, {
          method: 'POST',
          headers: { 'x-session-id': 'keys' },
        });
        expect(await errorOf(response), uri).toMatchObject({ status: 404, code: 'not_found', param: 'uri' });
      }
    }
    // The configured bucket still works.
    const ok = await target.fetch('/v1/ingest?uri=s3://reports/readme.txt', {
      method: 'POST',
      headers: { 'x-session-id': 'keys' },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses such fault names with 400 invalid_fault, in the header and the control route', async () => {
    for (const name of PROTO_NAMES) {
      for (const spec of [name, `${name}=1`]) {
        const response = await chat(target, { messages: userSays('hi') }, { 'x-threadline-fault': spec });
        expect(await errorOf(response), spec).toMatchObject({ status: 400, code: 'invalid_fault' });
        const queued = await postJson(target, '/__threadline/faults', { fault: spec });
        expect(await errorOf(queued), spec).toMatchObject({ status: 400, code: 'invalid_fault' });
      }
    }
    expect((await (await target.fetch('/__threadline/faults')).json()).queued).toEqual([]);
  });

  it('gives a file named notes.<such name> the generic media type and serves it', async () => {
    for (const name of PROTO_NAMES) {
      const filename = `notes.${name}`;
      const response = await chat(target, { messages: fileMessage(filename) });
      expect(response.status, filename).toBe(200);
      const runId = response.headers.get('x-threadline-run-id')!;
      const run = await (await target.fetch(`/v1/runs/${runId}`)).json();
      const fileId = run.file_ids[0] as string;
      const meta = await (await target.fetch(`/v1/files/${fileId}`)).json();
      expect(meta).toMatchObject({ filename, mime_type: 'application/octet-stream' });
      const content = await target.fetch(`/v1/files/${fileId}/content`);
      expect(content.status).toBe(200);
      expect(content.headers.get('content-type')).toBe('application/octet-stream');
      expect(await content.text()).toBe('plain notes');
    }
  });

  it('keeps memory of sessions and users with such names apart', async () => {
    const said = await chat(
      target,
      { messages: userSays('The code word is OSPREY-5.') },
      {
        'x-session-id': '__proto__',
        'x-user-id': 'constructor',
      },
    );
    expect(said.status).toBe(200);
    const ask = async (headers: Record<string, string>) =>
      (await (await chat(target, { messages: userSays('What is the code word?') }, headers)).json())
        .choices[0].message.content as string;
    expect(await ask({ 'x-session-id': '__proto__', 'x-user-id': 'constructor' })).toContain('OSPREY-5');
    expect(await ask({ 'x-session-id': '__proto__', 'x-user-id': 'toString' })).not.toContain('OSPREY-5');
    expect(await ask({ 'x-session-id': 'constructor', 'x-user-id': 'constructor' })).not.toContain(
      'OSPREY-5',
    );
  });

  it('treats a string format named like a prototype member as a plain string', async () => {
    for (const name of PROTO_NAMES) {
      const response = await chat(target, {
        messages: userSays('Give me a date.'),
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            schema: { type: 'object', properties: { d: { type: 'string', format: name } }, required: ['d'] },
          },
        },
      });
      expect(response.status, name).toBe(200);
      const content = JSON.parse((await response.json()).choices[0].message.content);
      expect(typeof content.d, name).toBe('string');
    }
  });

  it('looks up a demo order named like a prototype member as an unknown order', async () => {
    const response = await chat(target, { messages: userSays('Please look up order constructor.') });
    expect(response.status).toBe(200);
    const text = (await response.json()).choices[0].message.content as string;
    expect(text).toContain('"order_id":"constructor"');
    expect(text).toContain('"status":"unknown"');
  });

  it('deletes a fixture by such an id only when it exists', async () => {
    const added = await postJson(target, '/__threadline/fixtures', {
      id: 'constructor',
      match: { userText: 'proto?' },
      reply: { text: 'plain' },
    });
    expect(added.status).toBe(201);
    expect(
      await errorOf(await target.fetch('/__threadline/fixtures?id=__proto__', { method: 'DELETE' })),
    ).toMatchObject({ status: 404 });
    const removed = await target.fetch('/__threadline/fixtures?id=constructor', { method: 'DELETE' });
    expect(await removed.json()).toEqual({ removed: 1 });
  });

  it('journals a header named constructor as an ordinary header', async () => {
    await chat(target, { messages: userSays('hi') }, { constructor: 'plain-value' });
    const entries = (await (await target.fetch('/__threadline/journal')).json()).entries;
    expect(entries.at(-1).headers.constructor).toBe('plain-value');
  });
});

describe('object-prototype names with a db file', () => {
  it('stores and serves a file named notes.constructor and keeps chatting', async () => {
    const db = join(base, 'keys.db');
    const server = createMockServer({ db });
    try {
      const send = (body: unknown) =>
        server.fetch(
          new Request('http://threadline.test/v1/chat/completions', {
            method: 'POST',
            body: JSON.stringify(body),
          }),
        );
      for (const name of PROTO_NAMES) {
        const response = await send({ model: '', messages: fileMessage(`notes.${name}`) });
        expect(response.status, name).toBe(200);
        const runId = response.headers.get('x-threadline-run-id')!;
        const run = await (await server.fetch(new Request(`http://threadline.test/v1/runs/${runId}`))).json();
        const meta = await (
          await server.fetch(new Request(`http://threadline.test/v1/files/${run.file_ids[0]}`))
        ).json();
        expect(meta).toMatchObject({ filename: `notes.${name}`, mime_type: 'application/octet-stream' });
        // The same file again (found by content in the db) is a plain turn too.
        expect((await send({ model: '', messages: fileMessage(`notes.${name}`) })).status).toBe(200);
      }
    } finally {
      server.close();
    }
  });
});

describe('the journal, in-process', () => {
  it('keeps a header named __proto__ as an ordinary entry', async () => {
    const { inProcess } = await import('./support/target');
    const target = await inProcess();
    await target.fetch('/v1/chat/completions', {
      method: 'POST',
      headers: new Headers([['__proto__', 'kept']]),
      body: JSON.stringify({ model: '', messages: userSays('hi') }),
    });
    const entries = (await (await target.fetch('/__threadline/journal')).json()).entries;
    expect(Object.hasOwn(entries.at(-1).headers, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(entries.at(-1).headers, '__proto__')?.value).toBe('kept');
  });
});
