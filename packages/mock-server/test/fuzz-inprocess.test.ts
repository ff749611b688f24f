import { describe, expect, it } from 'vitest';
import { createMockServer } from '../src/index';
import { type FuzzCase, generateCases, resolveIds } from './support/fuzz';
import type { RawAnswer } from './support/fuzz-http';
import { ANSWER_BOUND_MS, COUNT, describeCase, judge, ROUTES, SEED } from './support/fuzz-run';

/**
 * The fuzz cases through the Web-standard handler (`server.fetch`, as msw, edge runtimes and Bun use it):
 * no header or framing tricks reach it (a Request cannot carry them), but every body, path and value does.
 */

/** The case as a Request, or null when the Request constructor itself refuses it (no client could send it). */
function requestFor(c: FuzzCase): Request | null {
  try {
    const url = c.target.startsWith('http://')
      ? c.target
      : `http://threadline.test${c.target.startsWith('/') ? '' : '/'}${c.target}`;
    const withBody = c.payload.byteLength > 0 && c.method !== 'GET' && c.method !== 'HEAD';
    return new Request(url, {
      method: c.method,
      headers: c.headers,
      body: withBody ? new Uint8Array(c.payload) : undefined,
    });
  } catch {
    return null;
  }
}

describe(`in-process fuzz run (seed ${SEED})`, () => {
  it('never rejects, never a 5xx but injected ones, JSON error bodies, bounded time', async () => {
    const server = createMockServer();
    const failures: string[] = [];
    let sent = 0;
    const cases = generateCases(SEED ^ 0x1a9, Math.round(COUNT / 5), ROUTES).map((c) => resolveIds(c, []));
    for (const c of cases) {
      if (failures.length >= 25) break;
      // Header overflow and broken framing exist only on a socket.
      if (c.malformed) continue;
      const request = requestFor(c);
      if (!request) continue;
      sent++;
      const started = performance.now();
      let response: Response;
      try {
        response = await server.fetch(request);
      } catch (error) {
        failures.push(
          `${describeCase(c)}: fetch rejected: ${error instanceof Error ? error.message : String(error)}`,
        );
        continue;
      }
      const body = Buffer.from(await response.arrayBuffer());
      const answer: RawAnswer = {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body,
        elapsedMs: performance.now() - started,
        timedOut: false,
      };
      const problem = judge({ ...c, head: Buffer.alloc(0) }, answer);
      if (problem) failures.push(`${describeCase(c)}: ${problem}`);
    }
    server.close();
    expect(sent).toBeGreaterThan(cases.length / 2);
    expect(failures, `seed ${SEED}: replay with FUZZ_SEED=${SEED}; bound ${ANSWER_BOUND_MS} ms`).toEqual([]);
  }, 120_000);
});
