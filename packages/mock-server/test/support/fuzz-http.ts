/**
 * Raw HTTP for the fuzz test: node's own client refuses to send much of what a fuzzer must (bad header
 * bytes, broken framing), so requests are bytes on a socket and answers are parsed by hand.
 */
import { connect } from 'node:net';
import { type Rng, randomText } from './fuzz-values';

export interface RequestParts {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  kind: string;
}

/** The raw bytes of a request; header values go out as latin1 bytes, as they are on the wire. */
export function encodeRequest(
  parts: RequestParts,
  framing: 'length' | 'chunked' | 'none',
): { head: Buffer; body: Buffer } {
  const lines = [`${parts.method} ${parts.target} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of parts.headers) lines.push(`${name}: ${value}`);
  let body = parts.body;
  if (framing === 'length') lines.push(`content-length: ${body.byteLength}`);
  if (framing === 'chunked') {
    lines.push('transfer-encoding: chunked');
    const pieces: Buffer[] = [];
    for (let at = 0; at < body.byteLength; at += 64 * 1024) {
      const piece = body.subarray(at, at + 64 * 1024);
      pieces.push(Buffer.from(`${piece.byteLength.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    pieces.push(Buffer.from('0\r\n\r\n'));
    body = Buffer.concat(pieces);
  }
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body };
}

export interface RawAnswer {
  /** null: the connection closed without a status line. */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
  elapsedMs: number;
  timedOut: boolean;
}

/** Sends `bytes` on a fresh connection and reads until the server closes it (or `timeoutMs` passes). */
export function sendRaw(port: number, head: Buffer, body: Buffer, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk) => received.push(chunk));
    // A reset after the answer (the server closing with unread upload bytes) is not a failure.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parseAnswer(Buffer.concat(received)), elapsedMs: performance.now() - started, timedOut });
    });
    socket.write(head);
    if (body.byteLength > 0) socket.write(body);
  });
}

function parseAnswer(raw: Buffer): { status: number | null; headers: Record<string, string>; body: Buffer } {
  const split = raw.indexOf('\r\n\r\n');
  if (split === -1) return { status: null, headers: {}, body: raw };
  const lines = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: status ? Number(status[1]) : null, headers, body };
}

/** Joins a chunked body; a broken or cut one (a drop fault) yields what arrived whole. */
function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.byteLength) {
    const eol = data.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Requests node's parser must refuse, each with the status its JSON answer must have. */
export function malformedCases(rng: Rng): Array<{ kind: string; bytes: Buffer; status: number }> {
  const line = 'GET /health HTTP/1.1\r\nhost: x\r\n';
  const post = 'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n';
  return [
    {
      kind: 'header-overflow',
      bytes: Buffer.from(`${line}x-big: ${'a'.repeat(17_000 + rng.int(20_000))}\r\n\r\n`),
      status: 431,
    },
    {
      kind: 'many-headers-overflow',
      bytes: Buffer.from(`${line}${'x-h: aaaaaaaaaaaaaaaa\r\n'.repeat(1_000)}\r\n`),
      status: 431,
    },
    {
      kind: 'garbage-line',
      bytes: Buffer.from(`${randomText(rng, 20).replace(/[\r\n]/g, '')} \r\n\r\n`),
      status: 400,
    },
    {
      kind: 'binary',
      bytes: Buffer.from([...Array.from({ length: 64 }, () => rng.int(256)), 13, 10, 13, 10]),
      status: 400,
    },
    {
      kind: 'bad-chunk-size',
      bytes: Buffer.from(`${post}transfer-encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n`),
      status: 400,
    },
    { kind: 'ctl-in-header', bytes: Buffer.from(`${line}x-bad: a\u0001b\r\n\r\n`), status: 400 },
    { kind: 'space-in-name', bytes: Buffer.from(`${line}bad name: v\r\n\r\n`), status: 400 },
    {
      kind: 'cl-and-te',
      bytes: Buffer.from(`${post}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`),
      status: 400,
    },
    {
      kind: 'two-lengths',
      bytes: Buffer.from(`${post}content-length: 5\r\ncontent-length: 6\r\n\r\n{}`),
      status: 400,
    },
    { kind: 'bad-version', bytes: Buffer.from('GET /health HTTP/9.9\r\nhost: x\r\n\r\n'), status: 400 },
    { kind: 'no-host-http11', bytes: Buffer.from('GET /health HTTP/1.1\r\n\r\n'), status: 400 },
    { kind: 'lf-only-junk', bytes: Buffer.from('GET /health HTTP/1.1\nhost: x\n\u0000\n\n'), status: 400 },
  ];
}
