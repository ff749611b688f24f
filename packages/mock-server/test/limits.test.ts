import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockServer, createNodeListener, type RunningServer, start } from '../src/index';

const OVER = MAX_REQUEST_BYTES + 1024 * 1024;
const big = new Uint8Array(OVER).fill(0x61);

/** A body stream of `total` bytes in 1 MiB pieces that records how much was pulled and whether it was cancelled. */
function countingBody(total: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= total) return controller.close();
      const n = Math.min(1024 * 1024, total - seen.pulled);
      controller.enqueue(big.subarray(0, n));
      seen.pulled += n;
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

const expect413 = async (response: Response) => {
  expect(response.status).toBe(413);
  expect(await response.json()).toEqual({
    error: expect.objectContaining({ type: 'invalid_request_error', code: 'payload_too_large' }),
  });
};

describe('request body limit, in-process', () => {
  const server = createMockServer();

  it('decides from Content-Length without reading the body', async () => {
    const { stream, seen } = countingBody(OVER);
    const response = await server.fetch(
      new Request('http://threadline.test/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-length': String(OVER) },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    await expect413(response);
    // The Request may pre-pull a piece or two into its buffer; the server itself reads none of it.
    expect(seen.pulled).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('stops reading a body without Content-Length at the limit', async () => {
    const { stream, seen } = countingBody(OVER * 2);
    const response = await server.fetch(
      new Request('http://threadline.test/v1/chat/completions', {
        method: 'POST',
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    await expect413(response);
    expect(seen.pulled).toBeLessThan(MAX_REQUEST_BYTES + 4 * 1024 * 1024);
    expect(seen.cancelled).toBe(true);
  });

  it('accepts a body of exactly the limit', async () => {
    const head = '{"model":"","messages":[{"role":"user","content":"x"}],"pad":"';
    const tail = '"}';
    const body = head + 'p'.repeat(MAX_REQUEST_BYTES - head.length - tail.length) + tail;
    expect(body.length).toBe(MAX_REQUEST_BYTES);
    const response = await server.fetch(
      new Request('http://threadline.test/v1/chat/completions', { method: 'POST', body }),
    );
    expect(response.status).toBe(200);
  });
});

describe('request body limit, over a real port', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await start({ port: 0 });
  });
  afterAll(() => running.close());

  it('answers 413 to a >32 MB body sent with Content-Length, and the client reads it', async () => {
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(response.headers.get('connection')).toBe('close');
    await expect413(response);
  });

  it('answers 413 to a >32 MB chunked body, and the client reads it', async () => {
    const { stream } = countingBody(OVER);
    const response = await fetch(`${running.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expect413(response);
  });

  it('answers 413 to Expect: 100-continue without inviting the body', async () => {
    const result = await new Promise<{ status: number; body: string; continued: boolean }>(
      (resolve, reject) => {
        let continued = false;
        const req = http.request(`${running.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-length': String(OVER), expect: '100-continue' },
        });
        req.on('continue', () => {
          continued = true;
          req.end(big);
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode!, body, continued }));
        });
        req.on('error', reject);
        req.flushHeaders();
      },
    );
    expect(result.continued).toBe(false);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error.code).toBe('payload_too_large');
  });

  it('keeps serving after refusing big bodies', async () => {
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
  });
});

describe('request body limit, what the node adapter reads', () => {
  let httpServer: http.Server;
  let url: string;
  /** Bytes the server's socket had read when the answer's head was written. */
  const readAtAnswer: number[] = [];
  beforeAll(async () => {
    const listener = createNodeListener(createMockServer());
    httpServer = http.createServer((req, res) => {
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
      res.writeHead = ((...args: unknown[]) => {
        readAtAnswer.push(req.socket.bytesRead);
        return writeHead(...args);
      }) as typeof res.writeHead;
      listener(req, res);
    });
    await new Promise<void>((done) => httpServer.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => httpServer.close(() => done())));

  it('decides a chunked body at the limit, not after reading all of it', async () => {
    const { stream } = countingBody(MAX_REQUEST_BYTES * 2);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expect413(response);
    expect(readAtAnswer).toHaveLength(1);
    // The limit plus what sits in socket and parser buffers; never the 64 MiB that were on offer.
    expect(readAtAnswer[0]).toBeGreaterThan(MAX_REQUEST_BYTES);
    expect(readAtAnswer[0]).toBeLessThan(MAX_REQUEST_BYTES + 4 * 1024 * 1024);
  });
});
