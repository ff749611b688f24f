import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../src/index';
import { chat, chunks, errorOf, frames, postJson, TARGETS, type Target, userSays } from './support/target';

const LONG = 'alpha beta gamma delta epsilon zeta eta theta';
const fault = (spec: string) => ({ 'x-threadline-fault': spec });
const stream = (target: Target, spec: string, extra: Record<string, unknown> = {}) =>
  chat(target, { stream: true, messages: userSays('long'), ...extra }, fault(spec));

/** Reads a body to the end; returns the text read and the error that ended it, if any. */
async function readAll(response: Response): Promise<{ text: string; error: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

const dataFrames = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => frame.replace(/^data: /, ''));

describe.each(TARGETS)('fault injection (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'long' }, reply: { text: LONG } }] });
  });
  afterEach(() => target.server.faults.clear());
  afterAll(() => target.close());

  it('status=<code> answers that status with a typed error; code= sets its code', async () => {
    for (const [status, type] of [
      [500, 'server_error'],
      [502, 'server_error'],
      [503, 'server_error'],
      [402, 'insufficient_quota'],
      [400, 'invalid_request_error'],
    ] as const) {
      const error = await errorOf(await chat(target, { messages: userSays('x') }, fault(`status=${status}`)));
      expect(error).toMatchObject({ status, type });
    }
    const coded = await errorOf(
      await chat(target, { messages: userSays('x') }, fault('status=503; code=overloaded')),
    );
    expect(coded).toMatchObject({ status: 503, code: 'overloaded' });
  });

  it('rate-limit answers 429 rate_limit_exceeded with Retry-After and retry-after-ms', async () => {
    const response = await chat(target, { messages: userSays('x') }, fault('rate-limit=2'));
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('2000');
    expect(await errorOf(response)).toMatchObject({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
    });
    const dflt = await chat(target, { messages: userSays('x') }, fault('rate-limit'));
    expect(dflt.headers.get('retry-after')).toBe('1');
    const unavailable = await chat(target, { messages: userSays('x') }, fault('status=503; rate-limit=0.25'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after-ms')).toBe('250');
  });

  it('quota answers 429 insufficient_quota and tells clients not to retry', async () => {
    const response = await chat(target, { messages: userSays('x') }, fault('quota'));
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(await errorOf(response)).toMatchObject({
      status: 429,
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
  });

  it('should-retry adds x-should-retry', async () => {
    const response = await chat(target, { messages: userSays('x') }, fault('status=500; should-retry=true'));
    expect(response.headers.get('x-should-retry')).toBe('true');
    const quota = await chat(target, { messages: userSays('x') }, fault('quota; should-retry=true'));
    expect(quota.headers.get('x-should-retry')).toBe('true');
  });

  it('latency waits before answering', async () => {
    const started = performance.now();
    const response = await chat(target, { messages: userSays('x') }, fault('latency=150'));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drop-after sends n chunks, then breaks the connection without [DONE]', async () => {
    const response = await stream(target, 'drop-after=3');
    expect(response.status).toBe(200);
    const { text, error } = await readAll(response);
    expect(error).toBeTruthy();
    const got = dataFrames(text);
    expect(got).toHaveLength(3);
    expect(got.every((f) => JSON.parse(f).object === 'chat.completion.chunk')).toBe(true);
    expect(text).not.toContain('[DONE]');
  });

  it('error-frame-after sends n chunks, an error frame, then [DONE]', async () => {
    const all = (await frames(await stream(target, 'error-frame-after=2; code=upstream_failed'))).map(
      (f) => f.data,
    );
    expect(all).toHaveLength(4);
    expect(JSON.parse(all[2]!)).toEqual({
      error: expect.objectContaining({ type: 'server_error', code: 'upstream_failed' }),
    });
    expect(all[3]).toBe('[DONE]');
  });

  it.each(['error-frame-after=1', 'malformed-chunk-after=1'])(
    '%s ends the run failed, as its record shows',
    async (spec) => {
      const response = await stream(target, spec);
      await response.text();
      const run = await (
        await target.fetch(`/v1/runs/${response.headers.get('x-threadline-run-id')}`)
      ).json();
      expect(run).toMatchObject({ status: 'failed', stop_reason: 'error' });
    },
  );

  it('malformed-chunk-after sends n chunks, then a frame that is not JSON', async () => {
    const all = (await frames(await stream(target, 'malformed-chunk-after=1'))).map((f) => f.data);
    expect(() => JSON.parse(all[0]!)).not.toThrow();
    expect(() => JSON.parse(all[1]!)).toThrow(SyntaxError);
  });

  it('no-done ends the stream cleanly without [DONE]', async () => {
    const { text, error } = await readAll(await stream(target, 'no-done'));
    expect(error).toBeNull();
    expect(text).not.toContain('[DONE]');
    expect(text).toContain('"finish_reason":"stop"');
  });

  it('wrong-content-type sends the stream as application/json', async () => {
    const response = await stream(target, 'wrong-content-type');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toContain('data: [DONE]');
  });

  it('stall-after sends n chunks, then nothing until the client leaves; the run is cancelled', async () => {
    const controller = new AbortController();
    const response = await chat(target, { stream: true, messages: userSays('long') }, fault('stall-after=2'));
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const stalled = Symbol('stalled');
    while (true) {
      const next = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r(stalled), 200))]);
      if (next === stalled) break;
      const { done, value } = next as ReadableStreamReadResult<Uint8Array>;
      expect(done).toBe(false);
      text += decoder.decode(value);
    }
    expect(dataFrames(text)).toHaveLength(2);
    await reader.cancel();
    controller.abort();
    const runId = response.headers.get('x-threadline-run-id')!;
    await expect
      .poll(async () => (await (await target.fetch(`/v1/runs/${runId}`)).json()).status)
      .toBe('cancelled');
  });

  it('fires a stream fault before [DONE] when the stream has fewer chunks', async () => {
    const all = (await frames(await stream(target, 'error-frame-after=500'))).map((f) => f.data);
    expect(JSON.parse(all.at(-2)!).error).toBeDefined();
    expect(all.at(-1)).toBe('[DONE]');
  });

  it('ignore-tool-choice: tool_choice is neither validated nor obeyed', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    const noTools = await chat(
      target,
      { messages: userSays('x'), tool_choice: 'required' },
      fault('ignore-tool-choice'),
    );
    expect(noTools.status).toBe(200);
    const none = await chat(
      target,
      { messages: userSays('weather please'), tools, tool_choice: 'none' },
      fault('ignore-tool-choice'),
    );
    expect((await none.json()).choices[0].finish_reason).toBe('tool_calls');
    const named = await chat(
      target,
      {
        messages: userSays('hello'),
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
      fault('ignore-tool-choice'),
    );
    expect((await named.json()).choices[0].finish_reason).toBe('stop');
  });

  it('empty-success answers 200 + stop + empty content where an error was due', async () => {
    const response = await chat(
      target,
      { model: 'no-such-model', messages: userSays('x') },
      fault('empty-success'),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: '' },
    });
  });

  it('changing-ids changes the chunk id in the middle of the stream', async () => {
    const list = await chunks(await stream(target, 'changing-ids'));
    const ids = new Set(list.map((c) => c.id));
    expect(ids.size).toBe(2);
    expect(list[0]!.id).toMatch(/^run_/);
  });

  it('bad-usage sends a total that is not prompt + completion', async () => {
    const json = await (await chat(target, { messages: userSays('x') }, fault('bad-usage'))).json();
    expect(json.usage.total_tokens).not.toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
    const list = await chunks(await stream(target, 'bad-usage', { stream_options: { include_usage: true } }));
    const usage = list.at(-1)!.usage!;
    expect(usage.total_tokens).not.toBe(usage.prompt_tokens + usage.completion_tokens);
  });

  it('rejects a bad fault header with 400 invalid_fault', async () => {
    const error = await errorOf(await chat(target, { messages: userSays('x') }, fault('explode=now')));
    expect(error).toMatchObject({ status: 400, code: 'invalid_fault', param: 'x-threadline-fault' });
    expect(error.message).toContain('rate-limit');
  });

  it('queues one-shot faults for the next N requests, in order (API)', async () => {
    target.server.faults.enqueue('rate-limit=0', 2);
    target.server.faults.enqueue('status=500');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat(target, { messages: userSays('x') })).status);
    expect(statuses).toEqual([429, 429, 500, 200]);
  });

  it('queues one-shot faults through POST /__threadline/faults', async () => {
    const queued = await postJson(target, '/__threadline/faults', { fault: 'status=502', count: 1 });
    expect(queued.status).toBe(201);
    expect(await queued.json()).toEqual({ queued: [{ spec: 'status=502', remaining: 1 }] });
    // Control routes neither consume nor suffer faults.
    expect((await target.fetch('/__threadline/faults')).status).toBe(200);
    expect((await target.fetch('/health')).status).toBe(502);
    expect((await target.fetch('/health')).status).toBe(200);
    const bad = await postJson(target, '/__threadline/faults', { fault: 'status=999' });
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: 'invalid_fault' });
    const badCount = await postJson(target, '/__threadline/faults', { fault: 'quota', count: 0 });
    expect(await errorOf(badCount)).toMatchObject({ status: 400, code: 'invalid_fault', param: 'count' });
  });
});

describe.each(TARGETS)('faults for every request (config, %s)', (_name, make) => {
  let target: Target | undefined;
  afterEach(() => target?.close());

  it('applies the configured spec to every request, the header adding to it', async () => {
    target = await make({ faults: 'status=503; should-retry=false' });
    for (let i = 0; i < 2; i++) {
      const response = await chat(target, { messages: userSays('x') });
      expect(response.status).toBe(503);
      expect(response.headers.get('x-should-retry')).toBe('false');
    }
    const overridden = await chat(target, { messages: userSays('x') }, fault('status=500'));
    expect(overridden.status).toBe(500);
  });

  it('refuses a config with a bad spec', async () => {
    target = undefined;
    await expect(make({ faults: 'latency=-1' })).rejects.toThrow(/latency/);
  });
});

describe('the fault grammar', () => {
  it('parses every catalogue entry', () => {
    expect(
      parseFaultSpec(
        'status=503; code=x; rate-limit=2; quota; should-retry=false; latency=10; drop-after=1; error-frame-after=2; ' +
          'malformed-chunk-after=3; no-done; wrong-content-type; stall-after=4; ignore-tool-choice; bad-approval-id; ' +
          'empty-success; changing-ids; bad-usage',
      ),
    ).toEqual({
      status: 503,
      code: 'x',
      rateLimitSeconds: 2,
      quota: true,
      shouldRetry: false,
      latencyMs: 10,
      dropAfter: 1,
      errorFrameAfter: 2,
      malformedChunkAfter: 3,
      noDone: true,
      wrongContentType: true,
      stallAfter: 4,
      ignoreToolChoice: true,
      badApprovalId: true,
      emptySuccess: true,
      changingIds: true,
      badUsage: true,
    });
    expect(parseFaultSpec(' ; ')).toEqual({});
  });

  it.each(['status=200', 'status', 'latency=abc', 'quota=yes', 'should-retry=maybe', 'nope'])(
    'rejects %j',
    (spec) => {
      expect(() => parseFaultSpec(spec)).toThrow(TypeError);
    },
  );
});

/**
 * Faults that break one promise of the stateful half each (approvals, memory, ingest, files, limits,
 * auth), so the conformance suite's check for that promise can be shown to fail.
 */
describe('faults that break a promise', () => {
  let target: Target;
  beforeAll(async () => {
    // headerFaults 'all': these faults lift the separation between callers, so a request's own header may
    // set them only when the server allows it.
    target = await TARGETS[0]![1]({ auth: { apiKeys: ['sk-right'] }, headerFaults: 'all' });
  });
  afterAll(() => target.close());

  const KEY = { authorization: 'Bearer sk-right' };
  const as = (user: string, spec = '') => ({ ...KEY, 'x-user-id': user, ...(spec ? fault(spec) : {}) });
  const say = async (text: string, headers: Record<string, string>) => {
    const response = await chat(target, { messages: userSays(text) }, headers);
    expect(response.status).toBe(200);
    return (await response.json()) as {
      id: string;
      choices: Array<{
        message: { content: string | null; tool_calls?: Array<{ id: string; function: unknown }> };
      }>;
    };
  };
  const drafts = async (headers: Record<string, string>) =>
    (await say('List my drafts.', headers)).choices[0]!.message.content;
  /** Pauses on delete_draft Q3-plan; returns the conversation answering it with `decision`. */
  const paused = async (headers: Record<string, string>) => {
    const completion = await say('Please delete the draft Q3-plan.', headers);
    const call = completion.choices[0]!.message.tool_calls![0]!;
    return {
      runId: completion.id,
      answer: (decision: string) => [
        { role: 'user', content: 'Please delete the draft Q3-plan.' },
        { role: 'assistant', content: null, tool_calls: [{ ...call, type: 'function' }] },
        { role: 'tool', tool_call_id: call.id, content: decision },
      ],
    };
  };
  const run = async (id: string, headers: Record<string, string>) =>
    (await target.fetch(`/v1/runs/${id}`, { headers })).json();

  it('reject-as-completed records a rejected run completed', async () => {
    const user = as('rac');
    const p = await paused(user);
    await chat(target, { messages: p.answer('reject') }, as('rac', 'reject-as-completed'));
    expect((await run(p.runId, user)).status).toBe('completed');
    const clean = await paused(user);
    await chat(target, { messages: clean.answer('reject') }, user);
    expect((await run(clean.runId, user)).status).toBe('approval_rejected');
  });

  it('run-on-reject runs the rejected tool: the draft is gone', async () => {
    const p = await paused(as('ror'));
    const answer = await chat(target, { messages: p.answer('reject') }, as('ror', 'run-on-reject'));
    expect((await answer.json()).stop_reason).toBe('approval_rejected');
    expect(await drafts(as('ror'))).not.toContain('Q3-plan');
    const clean = await paused(as('ror-clean'));
    await chat(target, { messages: clean.answer('reject') }, as('ror-clean'));
    expect(await drafts(as('ror-clean'))).toContain('Q3-plan');
  });

  it('rerun-decided lets a decided approval be decided again, and run', async () => {
    const p = await paused(as('rr'));
    await chat(target, { messages: p.answer('reject') }, as('rr'));
    const refused = await chat(target, { messages: p.answer('approve') }, as('rr'));
    expect(await errorOf(refused)).toMatchObject({ status: 400, code: 'approval_already_decided' });
    const again = await chat(target, { messages: p.answer('approve') }, as('rr', 'rerun-decided'));
    expect(again.status).toBe(200);
    expect(await drafts(as('rr'))).not.toContain('Q3-plan');
  });

  it("any-user-approves lets another user decide a pause, running the owner's tool", async () => {
    const p = await paused(as('owner-a'));
    const refused = await chat(target, { messages: p.answer('approve') }, as('intruder-a'));
    expect(await errorOf(refused)).toMatchObject({ status: 400, code: 'unknown_approval_id' });
    const taken = await chat(
      target,
      { messages: p.answer('approve') },
      as('intruder-a', 'any-user-approves'),
    );
    expect(taken.status).toBe(200);
    expect(await drafts(as('owner-a'))).not.toContain('Q3-plan');
  });

  const WORD = 'What is the code word? Answer with the code word only.';
  it('shared-session-memory: another session of the user sees the memory', async () => {
    const s = (id: string, spec = '') => ({ ...as('ssm', spec), 'x-session-id': id });
    await say('Please remember this code word: HERON-5.', s('one', 'shared-session-memory'));
    expect((await say(WORD, s('two'))).choices[0]!.message.content).not.toContain('HERON-5');
    expect((await say(WORD, s('two', 'shared-session-memory'))).choices[0]!.message.content).toContain(
      'HERON-5',
    );
  });

  it('store-without-session: a turn without a session is recalled by a later session', async () => {
    await say('Please remember this code word: OTTER-6.', as('sws'));
    const later = { ...as('sws'), 'x-session-id': 'later' };
    expect((await say(WORD, later)).choices[0]!.message.content).not.toContain('OTTER-6');
    await say('Please remember this code word: OTTER-7.', as('sws', 'store-without-session'));
    const faulted = { ...as('sws', 'store-without-session'), 'x-session-id': 'another' };
    expect((await say(WORD, faulted)).choices[0]!.message.content).toContain('OTTER-7');
  });

  it('ingest-without-session stores the document instead of a 400', async () => {
    const ingest = (spec: string) =>
      target.fetch('/v1/ingest?filename=note.md', {
        method: 'POST',
        headers: { ...as('iws', spec), 'content-type': 'text/markdown' },
        body: '# Note\n\nThe note marker is LYNX-8.\n',
      });
    expect(await errorOf(await ingest(''))).toMatchObject({ status: 400, param: 'x-session-id' });
    expect((await ingest('ingest-without-session')).status).toBe(200);
  });

  it("files-any-user serves a user's file to another user", async () => {
    const content = [
      { type: 'text', text: 'Describe it.' },
      { type: 'file', file: { filename: 'a.txt', file_data: 'data:text/plain;base64,aGVsbG8=' } },
    ];
    const turn = await chat(target, { messages: [{ role: 'user', content }] }, as('fau-owner'));
    const fileId = (await run((await turn.json()).id, as('fau-owner'))).file_ids[0];
    expect((await target.fetch(`/v1/files/${fileId}`, { headers: as('fau-other') })).status).toBe(404);
    const leaked = await target.fetch(`/v1/files/${fileId}/content`, {
      headers: as('fau-other', 'files-any-user'),
    });
    expect(leaked.status).toBe(200);
    expect(await leaked.text()).toBe('hello');
  });

  it('body-limit=N moves the request limit', async () => {
    const body = JSON.stringify({ messages: userSays('x') }).padEnd(2000, ' ');
    const send = (spec: string) =>
      target.fetch('/v1/chat/completions', {
        method: 'POST',
        headers: { ...KEY, 'content-type': 'application/json', ...fault(spec) },
        body,
      });
    expect(await errorOf(await send('body-limit=1999'))).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect((await send('body-limit=2000')).status).toBe(200);
  });

  it('accept-any-key lets a wrong API key in; a missing key is still 401', async () => {
    const send = (headers: Record<string, string>) => chat(target, { messages: userSays('x') }, headers);
    const wrong = { authorization: 'Bearer sk-wrong' };
    expect(await errorOf(await send(wrong))).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((await send({ ...wrong, ...fault('accept-any-key') })).status).toBe(200);
    expect(await errorOf(await send(fault('accept-any-key')))).toMatchObject({
      status: 401,
      code: 'missing_credentials',
    });
  });

  it('pause-as-completed records a paused run completed', async () => {
    const p = await paused(as('pac', 'pause-as-completed'));
    expect((await run(p.runId, as('pac'))).status).toBe('completed');
    const clean = await paused(as('pac'));
    expect((await run(clean.runId, as('pac'))).status).toBe('awaiting_approval');
  });

  it('accept-unknown-approval answers a made-up approval id instead of 400 unknown_approval_id', async () => {
    const p = await paused(as('aua'));
    const forged = p
      .answer('approve')
      .map((m) => (m.role === 'tool' ? { ...m, tool_call_id: 'run_forged::call_forged' } : m));
    const refused = await chat(target, { messages: forged }, as('aua'));
    expect(await errorOf(refused)).toMatchObject({ status: 400, code: 'unknown_approval_id' });
    expect((await chat(target, { messages: forged }, as('aua', 'accept-unknown-approval'))).status).toBe(200);
  });

  it('bad-file-object answers a file object of the wrong type without created_at', async () => {
    const content = [
      { type: 'text', text: 'Describe it.' },
      { type: 'file', file: { filename: 'b.txt', file_data: 'data:text/plain;base64,aGVsbG8=' } },
    ];
    const turn = await chat(target, { messages: [{ role: 'user', content }] }, as('bfo'));
    const fileId = (await run((await turn.json()).id, as('bfo'))).file_ids[0];
    const clean = await (await target.fetch(`/v1/files/${fileId}`, { headers: as('bfo') })).json();
    expect(clean).toMatchObject({ object: 'file', bytes: 5, created_at: expect.any(Number) });
    const bad = await (
      await target.fetch(`/v1/files/${fileId}`, { headers: as('bfo', 'bad-file-object') })
    ).json();
    expect(bad).toMatchObject({ object: 'blob', bytes: 5 });
    expect(bad).not.toHaveProperty('created_at');
  });

  it('parses each of them', () => {
    expect(
      parseFaultSpec(
        'reject-as-completed; run-on-reject; rerun-decided; any-user-approves; shared-session-memory; ' +
          'store-without-session; ingest-without-session; files-any-user; body-limit=32000000; accept-any-key; ' +
          'pause-as-completed; accept-unknown-approval; bad-file-object',
      ),
    ).toEqual({
      rejectAsCompleted: true,
      runOnReject: true,
      rerunDecided: true,
      anyUserApproves: true,
      sharedSessionMemory: true,
      storeWithoutSession: true,
      ingestWithoutSession: true,
      filesAnyUser: true,
      bodyLimit: 32_000_000,
      acceptAnyKey: true,
      pauseAsCompleted: true,
      acceptUnknownApproval: true,
      badFileObject: true,
    });
    expect(() => parseFaultSpec('body-limit')).toThrow(/whole number/);
    expect(() => parseFaultSpec('run-on-reject=1')).toThrow(/takes no value/);
  });
});

describe.each(TARGETS)('faults that break a wire promise (%s)', (_name, make) => {
  let target: Target;
  const tools = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
    { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
  ];
  const named = { type: 'function', function: { name: 'get_time' } };
  beforeAll(async () => {
    target = await make({ fixtures: [{ match: { userText: 'long' }, reply: { text: LONG } }] });
  });
  afterAll(() => target.close());

  /** The data frames of a stream, [DONE] included, as text. */
  const dataOf = async (response: Response) =>
    (await frames(response)).filter((f) => f.event === undefined).map((f) => f.data);

  it('usage-chunk-id: only the usage chunk carries another id', async () => {
    const usage = { stream_options: { include_usage: true } };
    const list = await chunks(await stream(target, 'usage-chunk-id', usage));
    const ids = list.map((c) => c.id);
    expect(new Set(ids.slice(0, -1)).size).toBe(1);
    expect(ids.at(-1)).toMatch(/^run_/);
    expect(ids.at(-1)).not.toBe(ids[0]);
    const clean = await chunks(await stream(target, '', usage));
    expect(new Set(clean.map((c) => c.id)).size).toBe(1);
  });

  it('no-role-on-tool-stream drops the role only where the stream starts with a tool call', async () => {
    const body = { stream: true, messages: userSays('what time is it'), tools, tool_choice: named };
    const tool = await chunks(await chat(target, body, fault('no-role-on-tool-stream')));
    expect(tool[0]!.choices[0]!.delta.tool_calls?.[0]?.function?.name).toBe('get_time');
    expect(tool[0]!.choices[0]!.delta.role).toBeUndefined();
    expect((await chunks(await chat(target, body)))[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = await chunks(await stream(target, 'no-role-on-tool-stream'));
    expect(text[0]!.choices[0]!.delta.role).toBe('assistant');
  });

  it('no-role drops the role of a first text delta', async () => {
    const list = await chunks(await stream(target, 'no-role'));
    expect(list[0]!.choices[0]!.delta.content).toBeDefined();
    expect(list[0]!.choices[0]!.delta.role).toBeUndefined();
  });

  it('double-finish sends the finish chunk twice', async () => {
    const list = await chunks(await stream(target, 'double-finish'));
    expect(list.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      'stop',
      'stop',
    ]);
  });

  it('no-usage-chunk ignores include_usage', async () => {
    const list = await chunks(
      await stream(target, 'no-usage-chunk', { stream_options: { include_usage: true } }),
    );
    expect(list.filter((c) => c.choices.length === 0 || c.usage)).toEqual([]);
  });

  it('frames-after-done sends a chunk after [DONE]', async () => {
    const data = await dataOf(await stream(target, 'frames-after-done'));
    const done = data.indexOf('[DONE]');
    expect(done).toBeGreaterThan(0);
    expect(data.slice(done + 1)).toHaveLength(1);
    expect(JSON.parse(data.at(-1)!).object).toBe('chat.completion.chunk');
  });

  it('no-progress ignores the progress header; progress-backwards sends decreasing fractions', async () => {
    const progressed = async (spec: string) =>
      (
        await frames(
          await chat(
            target,
            { stream: true, messages: userSays('long') },
            { ...fault(spec), 'x-spiceai-completion-progress': 'enabled' },
          ),
        )
      )
        .filter((f) => f.event === 'progress')
        .map((f) => JSON.parse(f.data).fraction as number);
    expect(await progressed('no-progress')).toEqual([]);
    const backwards = (await progressed('progress-backwards')).filter((f) => f > 0 && f < 1);
    expect(backwards.length).toBeGreaterThan(1);
    expect(backwards.every((f, i) => i === 0 || f < backwards[i - 1]!)).toBe(true);
    const forwards = (await progressed('')).filter((f) => f > 0 && f < 1);
    expect(forwards.every((f, i) => i === 0 || f > forwards[i - 1]!)).toBe(true);
  });

  it('lenient-sampling drops out-of-range sampling values instead of refusing them', async () => {
    for (const extra of [{ temperature: 7 }, { max_completion_tokens: 0 }, { max_tokens: -1 }, { n: 3 }]) {
      const body = { messages: userSays('x'), ...extra };
      expect(await errorOf(await chat(target, body))).toMatchObject({ status: 400 });
      expect((await chat(target, body, fault('lenient-sampling'))).status).toBe(200);
    }
  });

  it('accept-unknown-role reads an unknown role as user; no-developer-role refuses developer', async () => {
    const unknown = [...userSays('x'), { role: 'narrator', content: 'meanwhile' }];
    expect(await errorOf(await chat(target, { messages: unknown }))).toMatchObject({
      status: 400,
      param: 'messages[1].role',
    });
    expect((await chat(target, { messages: unknown }, fault('accept-unknown-role'))).status).toBe(200);
    const developer = [{ role: 'developer', content: 'be brief' }, ...userSays('x')];
    expect((await chat(target, { messages: developer })).status).toBe(200);
    expect(
      await errorOf(await chat(target, { messages: developer }, fault('no-developer-role'))),
    ).toMatchObject({ status: 400, param: 'messages[0].role' });
  });

  it('models-any-id answers 200 for a model that is not listed', async () => {
    expect((await target.fetch('/v1/models/not-a-model')).status).toBe(404);
    const any = await target.fetch('/v1/models/not-a-model', { headers: fault('models-any-id') });
    expect(any.status).toBe(200);
    expect((await any.json()).id).toBe('not-a-model');
  });

  it('no-cors: no CORS headers on answers, the preflight refused without them', async () => {
    const preflight = (headers: Record<string, string>) =>
      target.fetch('/v1/chat/completions', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', ...headers },
      });
    const allowed = await preflight({});
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('*');
    const refused = await preflight(fault('no-cors'));
    expect(refused.status).toBe(405);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();
    const answer = await target.fetch('/v1/models', {
      headers: { origin: 'https://app.example', ...fault('no-cors') },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-expose-headers')).toBeNull();
  });

  it('error-shape=express|fastapi|string and numeric-error-code spoil every error body, routing included', async () => {
    const bodyOf = async (path: string, spec: string) =>
      (await target.fetch(path, { headers: fault(spec) })).json();
    const route = '/v1/no-such-route';
    expect(await bodyOf(route, 'error-shape=express')).toEqual({
      error: 'Not Found',
      message: 'No route for GET /v1/no-such-route.',
    });
    expect(await bodyOf(route, 'error-shape=fastapi')).toEqual({
      detail: 'No route for GET /v1/no-such-route.',
    });
    expect(await bodyOf(route, 'error-shape=string')).toEqual({
      error: 'No route for GET /v1/no-such-route.',
    });
    expect((await bodyOf(route, 'numeric-error-code')).error).toMatchObject({
      code: 404,
      type: 'not_found_error',
    });
    // A validation error in a route, too.
    const invalid = await chat(
      target,
      { messages: userSays('x'), temperature: 9 },
      fault('numeric-error-code'),
    );
    expect((await invalid.json()).error).toMatchObject({ code: 400, param: 'temperature' });
    expect(() => parseFaultSpec('error-shape=xml')).toThrow(/express, fastapi or string/);
  });

  it('ignore-required treats tool_choice "required" as "auto"', async () => {
    const body = { messages: userSays('tell me a story'), tools, tool_choice: 'required' };
    expect((await (await chat(target, body)).json()).choices[0].finish_reason).toBe('tool_calls');
    const ignored = await (await chat(target, body, fault('ignore-required'))).json();
    expect(ignored.choices[0].finish_reason).toBe('stop');
    // Named choices and validation still hold.
    const named = { ...body, tool_choice: { type: 'function', function: { name: 'get_time' } } };
    expect(
      (await (await chat(target, named, fault('ignore-required'))).json()).choices[0].finish_reason,
    ).toBe('tool_calls');
  });
});
