import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { start } from '../src/index';
import { TARGETS, type Target, userSays } from './support/target';

/** Starts a paced stream, reads one frame, then leaves; resolves with the run id. */
async function leaveMidStream(
  target: Target,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const response = await target.fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-threadline-chunk-delay': '40', ...headers },
    body: JSON.stringify({ model: '', stream: true, ...body }),
    signal: controller.signal,
  });
  const runId = response.headers.get('x-threadline-run-id')!;
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  await reader.cancel().catch(() => {});
  const run = async () => (await target.fetch(`/v1/runs/${runId}`)).json();
  await expect.poll(async () => (await run()).status).toBe('cancelled');
  return { runId, run };
}

describe.each(TARGETS)('cancel on disconnect (%s)', (_name, make) => {
  it('a dropped pause can never be approved later: nothing runs', async () => {
    const target = await make();
    try {
      const { run } = await leaveMidStream(target, { messages: userSays('Please delete the draft D-9.') });
      const record = await run();
      expect(record.tool_calls).toEqual([
        expect.objectContaining({ name: 'delete_draft', status: 'awaiting_approval' }),
      ]);
      const response = await target.fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: '',
          messages: [{ role: 'tool', tool_call_id: record.tool_calls[0].id, content: 'approve' }],
        }),
      });
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('approval_already_decided');
      expect(target.server.tools.executions).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('a dropped session turn stores the question but no answer, and runs nothing further', async () => {
    const target = await make();
    try {
      await leaveMidStream(
        target,
        { messages: userSays('The canal code is SWIFT-31 and this reply is long enough to pace.') },
        { 'x-session-id': 'dropped' },
      );
      const [scope] = target.server.memory.scopes();
      expect(target.server.memory.list(scope!).map((e) => e.role)).toEqual(['user']);
      expect(target.server.tools.executions).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

describe('a client that leaves before its body was read (real port)', () => {
  it('finishes the request (journalled as 499 client_closed_request) instead of waiting forever', async () => {
    const server = await start({ port: 0 });
    try {
      const body = JSON.stringify({ model: '', messages: userSays('hello') });
      // The latency fault holds the request before its body is read; the client leaves meanwhile.
      const req = http.request(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length + 10),
          'x-threadline-fault': 'latency=300',
        },
      });
      req.on('error', () => {});
      req.write(body.slice(0, 5));
      setTimeout(() => req.destroy(), 50);
      const journal = async () => (await (await fetch(`${server.url}/__threadline/journal`)).json()).entries;
      await expect
        .poll(journal, { timeout: 3000 })
        .toEqual([expect.objectContaining({ path: '/v1/chat/completions', status: 499, body: null })]);
      expect((await fetch(`${server.url}/v1/models`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
