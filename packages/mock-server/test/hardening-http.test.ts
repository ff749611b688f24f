import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, type RunningServer, start } from '../src/index';
import { chat, errorOf, TARGETS, type Target } from './support/target';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The name a content-disposition carries in `filename*` (RFC 5987: charset''pct-encoded). */
function extendedFilename(disposition: string): string {
  const match = /filename\*=([^;]*)/.exec(disposition);
  if (!match) throw new Error(`no filename* in ${disposition}`);
  const [charset, , encoded] = match[1]!.trim().split("'") as [string, string, string];
  expect(charset.toLowerCase()).toBe('utf-8');
  // attr-char only: every other byte must arrive percent-encoded.
  expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]*$/);
  return decodeURIComponent(encoded);
}

/** The quoted fallback `filename="…"`, which must be printable ASCII without quotes or backslashes. */
function fallbackFilename(disposition: string): string {
  const match = /filename="([^"]*)"/.exec(disposition);
  if (!match) throw new Error(`no filename in ${disposition}`);
  expect(match[1]).toMatch(/^[\x20-\x7e]*$/);
  return match[1]!;
}

const ODD_NAMES = [
  'отчёт.txt',
  'résumé 2024.pdf',
  '📎 notes 🧾.md',
  'tab\there.txt',
  'line\r\nbreak.txt',
  'nul\u0000bell\u0007del\u007f.txt',
  'say "hi".txt',
  'back\\slash.txt',
  "it's (100%) * done;=x.txt",
  '漢字のファイル.csv',
  'lone\ud800surrogate.txt',
];

async function storeFile(target: Target, filename: string, dataUrl: string): Promise<string> {
  const response = await chat(target, {
    messages: [{ role: 'user', content: [{ type: 'file', file: { filename, file_data: dataUrl } }] }],
  });
  expect(response.status).toBe(200);
  const runId = response.headers.get('x-threadline-run-id')!;
  const run = (await (await target.fetch(`/v1/runs/${runId}`)).json()) as { file_ids: string[] };
  return run.file_ids[0]!;
}

describe.each(TARGETS)('downloads of files with any name (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it.each(ODD_NAMES)('%j downloads under its own name', async (filename) => {
    const id = await storeFile(target, filename, `data:text/plain;base64,${b64('body of the file')}`);
    const response = await target.fetch(`/v1/files/${id}/content`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('body of the file');
    const disposition = response.headers.get('content-disposition')!;
    expect(disposition.startsWith('attachment; ')).toBe(true);
    // A lone surrogate has no UTF-8 form: it becomes U+FFFD, as it does in every UTF-8 encoder.
    expect(extendedFilename(disposition)).toBe(
      filename.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
    );
    expect(fallbackFilename(disposition)).toHaveLength([...filename].length);
  });

  it('keeps printable ASCII in the fallback and replaces the rest with _', async () => {
    const id = await storeFile(target, 'отчёт "v2"\\final.txt', `data:text/plain;base64,${b64('x')}`);
    const disposition = (await target.fetch(`/v1/files/${id}/content`)).headers.get('content-disposition')!;
    expect(fallbackFilename(disposition)).toBe('_____ _v2__final.txt');
  });

  it.each([
    ['image/€', 'image_url'],
    ['image/€', 'file'],
    ['image/png\r\nx-injected: 1', 'image_url'],
    ['text/pl ain', 'file'],
    ['text', 'file'],
    ['/plain', 'image_url'],
    ['text/plain/extra', 'file'],
    [`image/${'a'.repeat(300)}`, 'image_url'],
  ])('refuses the data URL media type %j (%s part) with 400 naming the part', async (mimeType, kind) => {
    const url = `data:${mimeType};base64,${b64('abc')}`;
    const part =
      kind === 'image_url'
        ? { type: 'image_url', image_url: { url } }
        : { type: 'file', file: { filename: 'a.bin', file_data: url } };
    const response = await chat(target, { messages: [{ role: 'user', content: [part] }] });
    const error = await errorOf(response);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_value');
    expect(error.param).toBe(
      kind === 'image_url' ? 'messages[0].content[0].image_url.url' : 'messages[0].content[0].file.file_data',
    );
  });

  it('accepts token characters in media types and sends them back', async () => {
    const id = await storeFile(target, 'a.x', `data:application/vnd.acme+json;base64,${b64('{}')}`);
    const response = await target.fetch(`/v1/files/${id}/content`);
    expect(response.headers.get('content-type')).toBe('application/vnd.acme+json');
  });

  it('refuses a file name over 255 characters (its header would pass clients’ limits)', async () => {
    const response = await chat(target, {
      messages: [
        {
          role: 'user',
          content: [{ type: 'file', file: { filename: `${'я'.repeat(256)}.txt`, file_data: b64('x') } }],
        },
      ],
    });
    const error = await errorOf(response);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_value',
      param: 'messages[0].content[0].file.filename',
    });
  });
});

describe('a download through the openai SDK (real port)', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await start({ port: 0 });
  });
  afterAll(() => running.close());

  it('files.content returns the bytes and a name that decodes back', async () => {
    const target: Target = {
      name: 'port',
      server: running.server,
      url: running.url,
      fetch: (path, init) => fetch(`${running.url}${path}`, init),
      close: async () => {},
    };
    const id = await storeFile(target, 'отчёт 📎.txt', `data:text/plain;base64,${b64('привет')}`);
    const client = new OpenAI({ baseURL: `${running.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const response = await client.files.content(id);
    expect(await response.text()).toBe('привет');
    expect(extendedFilename(response.headers.get('content-disposition')!)).toBe('отчёт 📎.txt');
  });
});

describe('a header no transport can send becomes a typed error', () => {
  it.each(TARGETS)(
    'a scripted error header with a line break is refused when the fixture is added (%s)',
    async (_n, make) => {
      const target = await make();
      try {
        const response = await target.fetch('/__threadline/fixtures', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            match: { userText: 'x' },
            reply: { error: { status: 429, headers: { 'x-note': 'a\r\nset-cookie: y' } } },
          }),
        });
        expect((await errorOf(response)).code).toBe('invalid_fixture');
      } finally {
        await target.close();
      }
    },
  );

  it('a header value added by a plugin route that node would throw on is a JSON 500 naming it', async () => {
    const server = createMockServer();
    server.router.add('GET', '/plugin', () => ({
      status: 200,
      headers: { 'x-name': 'отчёт' },
      body: 'ok',
    }));
    const response = await server.fetch(new Request('http://threadline.test/plugin'));
    const error = await errorOf(response);
    expect(error).toMatchObject({ status: 500, code: 'server_error' });
    expect(error.message).toContain('x-name');
  });
});

/** Sends raw bytes on a fresh connection and collects everything until the server closes it. */
function rawExchange(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.end(payload);
  });
}

function parseRawResponse(raw: string) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).split('\r\n');
  const status = Number(head[0]!.split(' ')[1]);
  const headers = Object.fromEntries(
    head.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status, headers, body: JSON.parse(raw.slice(split + 4)) };
}

describe('malformed HTTP gets a JSON error body (real port)', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await start({ port: 0 });
  });
  afterAll(() => running.close());

  it.each([
    [
      'a 20 KB header',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'request_header_fields_too_large',
    ],
    ['a garbage request line', 'HELLO THERE\r\n\r\n', 400, 'invalid_request'],
    ['binary noise', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]), 400, 'invalid_request'],
    [
      'bad chunked encoding',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
      400,
      'invalid_request',
    ],
    [
      'a header with invalid characters',
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n',
      400,
      'invalid_request',
    ],
    [
      'a header name with a space',
      'GET /health HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n',
      400,
      'invalid_request',
    ],
    [
      'both content-length and chunked',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'invalid_request',
    ],
  ])('%s → %i %s, and the server keeps serving', async (_what, payload, status, code) => {
    const answer = parseRawResponse(await rawExchange(running.port, payload));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code },
    });
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
  });

  it('a 20 KB header through fetch is a 431 with the JSON body', async () => {
    const response = await fetch(`${running.url}/health`, { headers: { 'x-big': 'a'.repeat(20_000) } });
    expect((await errorOf(response)).code).toBe('request_header_fields_too_large');
    expect(response.status).toBe(431);
  });

  it('an unknown Expect is a 417 with the JSON body (node sent a bare 417)', async () => {
    const raw = await rawAnswer(running.port, 'GET /health HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n');
    const answer = parseRawResponse(raw);
    expect(answer.status).toBe(417);
    expect(answer.body.error).toMatchObject({ code: 'unsupported_value', param: 'expect' });
  });

  it('an HTTP/1.1 request without Host is a 400 with the JSON body (node sent a bare 400)', async () => {
    const answer = parseRawResponse(await rawAnswer(running.port, 'GET /health HTTP/1.1\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', param: 'host' });
  });
});

/** Writes `payload` without half-closing (node aborts requests in flight when the client ends first). */
function rawAnswer(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    socket.write(payload);
  });
}

describe.each(TARGETS)('HEAD answers (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());

  it.each(['/v1/models', '/health', '/v1/models/nope'])(
    'HEAD %s has GET’s status, type and content-length, and no body',
    async (path) => {
      const get = await target.fetch(path);
      const getBody = new Uint8Array(await get.arrayBuffer());
      const head = await target.fetch(path, { method: 'HEAD' });
      expect(head.status).toBe(get.status);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(head.headers.get('content-length')).toBe(String(getBody.byteLength));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    },
  );
});
