import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, start } from '../src/index';
import { DEFAULT_STORE_CAPS } from '../src/state/limits';
import { finalResponse, ResponsesSocket } from './support/responses-socket';
import { chat, errorOf, inProcess, postJson, type Target, userSays } from './support/target';

// Idempotency-Keys next to the rest of the server's state: approvals, the bounded key store and its
// /health entry, the db file, and the WebSocket door (where one upgrade carries many turns).

const DELETE = 'Please delete the draft Q3-plan.';

const targets: Target[] = [];
const open = async (config: Parameters<typeof inProcess>[0] = {}) => {
  const target = await inProcess(config);
  targets.push(target);
  return target;
};
afterEach(async () => {
  for (const target of targets.splice(0)) await target.close();
});

function userTurns(target: Target, scope: string, role = 'user') {
  const key = target.server.memory.scopes().find((k) => k.endsWith(`\u0000${scope}`));
  return key ? target.server.memory.list(key).filter((e) => e.role === role) : [];
}

const stores = async (target: Target) => (await (await target.fetch('/health')).json()).stores;

describe('approvals with an Idempotency-Key', () => {
  it('pauses and resumes with keys; a resent decision runs nothing again and changes no memory', async () => {
    const target = await open();
    const session = { 'x-session-id': 'approve' };
    const paused = await (
      await chat(target, { messages: userSays(DELETE) }, { ...session, 'idempotency-key': 'pause-1' })
    ).json();
    const call = paused.choices[0].message.tool_calls[0];
    const decision = {
      messages: [
        { role: 'user', content: DELETE },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'approve' },
      ],
    };
    const resume = { ...session, 'idempotency-key': 'resume-1' };
    const resumed = await (await chat(target, decision, resume)).json();
    expect(resumed.choices[0].message.content).toContain('delete_draft returned');
    expect(target.server.tools.executions).toHaveLength(1);
    const before = target.server.memory.list(target.server.memory.scopes()[0]!);
    expect(await errorOf(await chat(target, decision, resume))).toMatchObject({
      status: 400,
      code: 'approval_already_decided',
    });
    expect(target.server.tools.executions).toHaveLength(1);
    expect(target.server.memory.list(target.server.memory.scopes()[0]!)).toEqual(before);
    // Once: the decision and the tool's result, from the one resume that ran.
    const tool = userTurns(target, 'session:approve', 'tool').map((e) => e.text);
    expect(tool).toEqual(['approve', expect.stringContaining('deleted')]);
  });

  it('decides a pause through /v1/responses with a key; the resent decision is refused and runs nothing', async () => {
    const target = await open();
    const session = { 'x-session-id': 'approve-responses' };
    const paused = await (
      await chat(target, { messages: userSays(DELETE) }, { ...session, 'idempotency-key': 'pause-2' })
    ).json();
    const approval = {
      model: '',
      input: [
        {
          type: 'mcp_approval_response',
          approval_request_id: paused.choices[0].message.tool_calls[0].id,
          approve: true,
        },
      ],
    };
    const keyed = { ...session, 'idempotency-key': 'resume-2' };
    const decide = () => postJson(target, '/v1/responses', approval, keyed);
    expect((await decide()).status).toBe(200);
    expect(target.server.tools.executions).toHaveLength(1);
    expect(await errorOf(await decide())).toMatchObject({ status: 400, code: 'approval_already_decided' });
    expect(target.server.tools.executions).toHaveLength(1);
  });
});

describe('the key store', () => {
  it('is bounded, shown in /health, forgets its oldest key first and empties on reset', async () => {
    const target = await open({ storeLimits: { idempotency: { maxCount: 2 } } });
    const send = (key: string) =>
      chat(
        target,
        { messages: userSays(`Turn under ${key}.`) },
        { 'x-session-id': 'bounded', 'idempotency-key': key },
      ).then((r) => r.text());
    for (const key of ['a', 'b', 'c']) await send(key);
    expect((await stores(target)).idempotency).toMatchObject({ count: 2, maxCount: 2, evicted: 1 });
    // `a` was forgotten: its resend is a new turn; `c` is still known.
    await send('a');
    await send('c');
    const texts = userTurns(target, 'session:bounded').map((e) => e.text);
    // A resend's turn is stored again as of its latest attempt, so `c` moved to the end.
    expect(texts).toEqual(['Turn under a.', 'Turn under b.', 'Turn under a.', 'Turn under c.']);
    await target.fetch('/__threadline/reset', { method: 'POST' });
    expect((await stores(target)).idempotency).toMatchObject({ count: 0, evicted: 0 });
  });

  it('has documented defaults', async () => {
    const target = await open();
    expect((await stores(target)).idempotency).toMatchObject({ ...DEFAULT_STORE_CAPS.idempotency, count: 0 });
  });
});

describe('with a db file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'threadline-keys-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a resend after a restart is still the same turn; a reused key is still refused', async () => {
    const db = join(dir, 'keys.db');
    const headers = { 'x-session-id': 'restart', 'idempotency-key': 'across' };
    const first = await open({ db });
    await (await chat(first, { messages: userSays(DELETE.replace('delete', 'keep')) }, headers)).text();
    expect((await stores(first)).idempotency).toEqual({ persistent: true });
    await first.close();
    const second = await open({ db });
    await (await chat(second, { messages: userSays(DELETE.replace('delete', 'keep')) }, headers)).text();
    expect(userTurns(second, 'session:restart')).toHaveLength(1);
    expect(userTurns(second, 'session:restart', 'assistant')).toHaveLength(1);
    const reused = await chat(second, { messages: userSays('Another turn.') }, headers);
    expect((await errorOf(reused)).code).toBe('idempotency_key_reused');
  });

  it('bounds the keys table by count too', async () => {
    const target = await open({ db: join(dir, 'bounded.db'), storeLimits: { idempotency: { maxCount: 1 } } });
    const send = (key: string) =>
      chat(target, { messages: userSays('Same words.') }, { 'x-session-id': 'cap', 'idempotency-key': key });
    for (const key of ['x', 'y', 'x']) await (await send(key)).text();
    // `x` was trimmed when `y` came: its resend is stored as a new turn.
    expect(userTurns(target, 'session:cap')).toHaveLength(3);
  });
});

describe('the WebSocket door', () => {
  let running: RunningServer;
  afterEach(() => running?.close());

  it('does not apply the upgrade’s key to the many turns it carries', async () => {
    running = await start({ port: 0 });
    const socket = await ResponsesSocket.open(running.url, {
      'x-session-id': 'socket',
      'idempotency-key': 'upgrade-key',
    });
    try {
      for (const input of ['First socket turn.', 'Second socket turn.']) {
        expect(finalResponse(await socket.turn({ input })).status).toBe('completed');
      }
    } finally {
      await socket.close();
    }
    const key = running.server.memory.scopes().find((k) => k.endsWith('\u0000session:socket'))!;
    const said = running.server.memory.list(key).filter((e) => e.role === 'user');
    expect(said.map((e) => e.text)).toEqual(['First socket turn.', 'Second socket turn.']);
  });
});
