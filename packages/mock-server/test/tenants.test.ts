import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createMockServer } from '../src/index';
import { chat, errorOf, inProcess, postJson, type Target, userSays } from './support/target';

// Tenant admins see and do only their tenant's part of the control routes; API keys never appear in
// owners, in the tool log or in a db file; owner ids of differently named identities never meet.

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const bearer = (token: string, more: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  ...more,
});
const text = async (response: Response) => {
  const body = await response.json();
  return body.choices[0].message.content as string;
};

describe('tenant-admin tokens on control routes', () => {
  let target: Target;
  beforeAll(async () => {
    target = await inProcess({
      controlToken: 'root-control-token',
      auth: {
        agentTokens: [
          { token: 'tok-acme', tenant: 'acme', agent: 'smt_acme' },
          { token: 'tok-globex', tenant: 'globex', agent: 'smt_globex' },
        ],
        adminTokens: [
          { token: 'admin-acme', tenant: 'acme' },
          { token: 'admin-globex', tenant: 'globex' },
        ],
      },
    });
    const globex = bearer('tok-globex', { 'x-session-id': 'g' });
    expect((await chat(target, { messages: userSays('The globex code is PLUM-5.') }, globex)).status).toBe(
      200,
    );
    await (await chat(target, { messages: userSays('Please look up order A-1001.') }, globex)).text();
    await (await chat(target, { messages: userSays('acme was here') }, bearer('tok-acme'))).text();
    await (
      await chat(target, { messages: userSays('Please look up order A-1002.') }, bearer('tok-acme'))
    ).text();
  });
  afterAll(() => target.close());

  const control = (path: string, token: string, init: RequestInit = {}) =>
    target.fetch(path, { ...init, headers: { ...bearer(token), 'content-type': 'application/json' } });

  it("a tenant admin's journal holds only its tenant's requests; the control token's holds all", async () => {
    const own = await (await control('/__threadline/journal', 'admin-acme')).json();
    expect(own.entries.length).toBe(2);
    expect(own.entries.every((entry: { tenant: string }) => entry.tenant === 'acme')).toBe(true);
    expect(JSON.stringify(own)).not.toContain('PLUM');
    expect(JSON.stringify(own)).toContain('acme was here');
    const all = await (await control('/__threadline/journal', 'root-control-token')).json();
    expect(all.entries.map((entry: { tenant: string }) => entry.tenant)).toEqual([
      'globex',
      'globex',
      'acme',
      'acme',
    ]);
  });

  it("a tenant admin's tool log holds only its tenant's executions", async () => {
    const own = await (await control('/__threadline/tools', 'admin-acme')).json();
    expect(own.executions.map((run: { arguments: unknown }) => run.arguments)).toEqual([
      { order_id: 'A-1002' },
    ]);
    const other = await (await control('/__threadline/tools', 'admin-globex')).json();
    expect(other.executions.map((run: { tenant: string }) => run.tenant)).toEqual(['globex']);
    const all = await (await control('/__threadline/tools', 'root-control-token')).json();
    expect(all.executions).toHaveLength(2);
  });

  it.each([
    ['POST', '/__threadline/reset', undefined],
    ['GET', '/__threadline/faults', undefined],
    ['POST', '/__threadline/faults', { fault: 'status=500', count: 5 }],
    ['DELETE', '/__threadline/faults', undefined],
    ['GET', '/__threadline/fixtures', undefined],
    ['POST', '/__threadline/fixtures', { id: 'x', match: { userText: 'hi' }, reply: { text: 'owned' } }],
    ['DELETE', '/__threadline/fixtures', undefined],
  ])(
    'refuses %s %s to a tenant admin with 403 permission_denied and changes nothing',
    async (method, path, body) => {
      const response = await control(path, 'admin-acme', {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status).toBe(403);
      expect((await response.json()).error).toMatchObject({
        code: 'permission_denied',
        type: 'permission_error',
      });
      // Nothing reached the other tenant: its memory, the fault queue and the fixtures are as they were.
      const recalled = await chat(
        target,
        { messages: userSays('What is the globex code?') },
        bearer('tok-globex', { 'x-session-id': 'g' }),
      );
      expect(recalled.status).toBe(200);
      expect(await text(recalled)).toContain('PLUM-5');
      expect((await (await control('/__threadline/faults', 'root-control-token')).json()).queued).toEqual([]);
      expect((await (await control('/__threadline/fixtures', 'root-control-token')).json()).fixtures).toEqual(
        [],
      );
    },
  );

  it('an agent token opens no control route', async () => {
    const response = await control('/__threadline/journal', 'tok-acme');
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('admin_token_required');
  });
});

describe('API keys are never kept or shown in clear', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'threadline-secrets-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Everything the db holds on disk: the file and its write-ahead log, as text. */
  const fileText = (file: string) =>
    [file, `${file}-wal`]
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('\n');

  const plant = async (target: Target, key: string) => {
    const headers = bearer(key, { 'x-session-id': 'vault' });
    const stated = await (
      await chat(
        target,
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'The vault code is OTTER-7.' },
                { type: 'image_url', image_url: { url: PNG } },
              ],
            },
          ],
        },
        headers,
      )
    ).json();
    const paused = await (
      await chat(target, { messages: userSays('Please delete the draft x.') }, headers)
    ).json();
    return { runId: stated.id as string, approvalId: paused.choices[0].message.tool_calls[0].id as string };
  };

  it('owners in the tool log carry a keyed hash of the key, not the key', async () => {
    const target = await inProcess({ auth: { mode: 'api-key' }, controlToken: 'root-control-token' });
    try {
      const key = 'sk-live-tool-log-key-0001';
      await (await chat(target, { messages: userSays('Please look up order A-1001.') }, bearer(key))).text();
      const tools = await target.fetch('/__threadline/tools', { headers: bearer('root-control-token') });
      const body = await tools.text();
      expect(body).not.toContain(key);
      const [execution] = JSON.parse(body).executions;
      expect(execution.owner).toMatch(/^key:[0-9a-f]{32}\/default-user$/);
      // Another key, another id.
      await (
        await chat(target, { messages: userSays('Please look up order A-1001.') }, bearer(`${key}x`))
      ).text();
      const owners = (
        await (await target.fetch('/__threadline/tools', { headers: bearer('root-control-token') })).json()
      ).executions.map((run: { owner: string }) => run.owner);
      expect(new Set(owners).size).toBe(2);
    } finally {
      await target.close();
    }
  });

  it('a db file never holds the key, and the key reaches its data after a restart', async () => {
    const file = join(dir, 'new.db');
    const key = 'sk-live-db-key-0002';
    const config = { db: file, auth: { mode: 'api-key' as const } };
    const first = await inProcess(config);
    const { runId, approvalId } = await plant(first, key);
    await first.close();
    expect(fileText(file)).toContain('OTTER-7');
    expect(fileText(file)).not.toContain(key);

    const second = await inProcess(config);
    try {
      expect((await second.fetch(`/v1/runs/${runId}`, { headers: bearer(key) })).status).toBe(200);
      expect((await second.fetch(`/v1/runs/${runId}`, { headers: bearer('sk-other') })).status).toBe(404);
      const recalled = await chat(
        second,
        { messages: userSays('What is the vault code?') },
        bearer(key, { 'x-session-id': 'vault' }),
      );
      expect(await text(recalled)).toContain('OTTER-7');
      const approved = await chat(
        second,
        { messages: [{ role: 'tool', tool_call_id: approvalId, content: 'approve' }] },
        bearer(key),
      );
      expect(approved.status).toBe(200);
    } finally {
      await second.close();
    }
    expect(fileText(file)).not.toContain(key);
  });

  it('an older db file holding keys in clear is upgraded: keys gone, every owner still reaches its data', async () => {
    const file = join(dir, 'old.db');
    const key = 'sk-legacy-db-key-0003';
    const config = { db: file, auth: { mode: 'api-key' as const } };
    const first = await inProcess(config);
    const { runId, approvalId } = await plant(first, key);
    await first.close();
    // Turn the file back into a version-1 file: owners `key:<the key>/<user>`, no secret.
    const db = new DatabaseSync(file);
    const owner = (db.prepare('SELECT owner FROM runs').get() as { owner: string }).owner;
    const v1 = `key:${key}/default-user`;
    for (const table of ['runs', 'files', 'approvals']) {
      db.prepare(`UPDATE ${table} SET owner = ? WHERE owner = ?`).run(v1, owner);
    }
    for (const { scope } of db.prepare('SELECT DISTINCT scope FROM ledger').all() as Array<{
      scope: string;
    }>) {
      db.prepare('UPDATE ledger SET scope = ? WHERE scope = ?').run(v1 + scope.slice(owner.length), scope);
    }
    // Back to version 1: without the tables later migrations add.
    db.exec(
      'DROP TABLE meta; DROP TABLE response_chains; DROP TABLE response_items; DROP TABLE idempotency_keys; ' +
        'PRAGMA user_version = 1;',
    );
    db.close();
    expect(fileText(file)).toContain(key);

    const upgraded = await inProcess(config);
    try {
      expect(fileText(file)).not.toContain(key);
      expect((await upgraded.fetch(`/v1/runs/${runId}`, { headers: bearer(key) })).status).toBe(200);
      const recalled = await chat(
        upgraded,
        { messages: userSays('What is the vault code?') },
        bearer(key, { 'x-session-id': 'vault' }),
      );
      expect(await text(recalled)).toContain('OTTER-7');
      const stolen = await chat(
        upgraded,
        { messages: [{ role: 'tool', tool_call_id: approvalId, content: 'approve' }] },
        bearer('sk-someone-else'),
      );
      expect((await stolen.json()).error.code).toBe('unknown_approval_id');
      const approved = await chat(
        upgraded,
        { messages: [{ role: 'tool', tool_call_id: approvalId, content: 'approve' }] },
        bearer(key),
      );
      expect(approved.status).toBe(200);
    } finally {
      await upgraded.close();
    }
    expect(fileText(file)).not.toContain(key);
  });

  it('the journal masks a short secret whole, and shows 4 characters of a long one only', async () => {
    const target = await inProcess();
    try {
      const sent = { authorization: 'Bearer Qz7w', 'x-api-key': 'W9k', 'api-key': 'sk-long-enough-key-77' };
      await (await chat(target, { messages: userSays('mask me') }, sent)).text();
      const { entries } = await (await target.fetch('/__threadline/journal')).json();
      const { headers } = entries.at(-1);
      expect(headers.authorization).toBe('Bearer ********');
      expect(headers['x-api-key']).toBe('********');
      expect(headers['api-key']).toMatch(/^sk-l\*{17}$/);
      const all = JSON.stringify(entries);
      for (const secret of ['Qz7w', 'W9k', 'long-enough']) expect(all).not.toContain(secret);
    } finally {
      await target.close();
    }
  });
});

describe('owner ids of differently named identities never meet', () => {
  it("agent 'ops:bot' of tenant 'acme' and agent 'bot' of tenant 'acme:ops' share nothing", async () => {
    const target = await inProcess({
      auth: {
        agentTokens: [
          { token: 'tok-acme-opsbot', tenant: 'acme', agent: 'ops:bot' },
          { token: 'tok-acmeops-bot', tenant: 'acme:ops', agent: 'bot' },
        ],
      },
    });
    try {
      const first = bearer('tok-acme-opsbot', { 'x-session-id': 's' });
      const second = bearer('tok-acmeops-bot', { 'x-session-id': 's' });
      const stated = await (
        await chat(
          target,
          {
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'The ops code is MOTH-3.' },
                  { type: 'image_url', image_url: { url: PNG } },
                ],
              },
            ],
          },
          first,
        )
      ).json();
      const run = await (await target.fetch(`/v1/runs/${stated.id}`, { headers: first })).json();
      expect(
        await text(await chat(target, { messages: userSays('What is the ops code?') }, first)),
      ).toContain('MOTH-3');
      expect(
        await text(await chat(target, { messages: userSays('What is the ops code?') }, second)),
      ).not.toContain('MOTH-3');
      for (const path of [`/v1/runs/${stated.id}`, `/v1/files/${run.file_ids[0]}`]) {
        expect((await target.fetch(path, { headers: second })).status, path).toBe(404);
      }
      const scopes = target.server.memory.scopes();
      expect(scopes.some((scope) => scope.startsWith('agent:acme:ops%3Abot/'))).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('API key "team/ops" and key "team" with a user id do not meet either', async () => {
    const target = await inProcess({ auth: { mode: 'api-key' } });
    try {
      const paused = await (
        await chat(
          target,
          { messages: userSays('Please delete the draft x.') },
          bearer('team/ops', { 'x-user-id': 'lee' }),
        )
      ).json();
      const stolen = await chat(
        target,
        {
          messages: [
            { role: 'tool', tool_call_id: paused.choices[0].message.tool_calls[0].id, content: 'approve' },
          ],
        },
        bearer('team', { 'x-user-id': 'ops' }),
      );
      expect((await stolen.json()).error.code).toBe('unknown_approval_id');
      const posted = await postJson(
        target,
        '/v1/chat/completions',
        { model: '', messages: userSays('x') },
        {},
      );
      expect(posted.status).toBe(401);
    } finally {
      await target.close();
    }
  });
});

describe('a token names one principal only', () => {
  it.each([
    [
      'an agent token that is also the control token',
      {
        controlToken: 'shared-tok',
        auth: { agentTokens: [{ token: 'shared-tok', tenant: 'acme', agent: 'a' }] },
      },
      'controlToken repeats the token of auth.agentTokens.0',
    ],
    [
      'an admin token that is also an agent token',
      {
        auth: {
          agentTokens: [{ token: 'dup', tenant: 'acme', agent: 'a' }],
          adminTokens: [{ token: 'dup', tenant: 'globex' }],
        },
      },
      'auth.adminTokens.0 repeats the token of auth.agentTokens.0',
    ],
    [
      'the same agent twice',
      {
        auth: {
          agents: [
            { id: 'smt_1', tenant: 'acme' },
            { id: 'smt_1', tenant: 'acme', instructions: 'hidden' },
          ],
        },
      },
      "auth.agents.1 repeats agent 'smt_1' of tenant 'acme' (auth.agents.0)",
    ],
  ])('refuses %s with a ConfigError naming both places', (_name, config, message) => {
    expect(() => createMockServer(config)).toThrow(ConfigError);
    expect(() => createMockServer(config)).toThrow(message);
  });

  it("still takes agents of one id in two tenants, and 'ops:bot' of acme beside 'bot' of acme:ops", () => {
    const server = createMockServer({
      auth: {
        agents: [
          { id: 'smt_1', tenant: 'acme' },
          { id: 'smt_1', tenant: 'globex' },
          { id: 'ops:bot', tenant: 'acme' },
          { id: 'bot', tenant: 'acme:ops' },
        ],
      },
    });
    expect(server.config.auth.agents).toHaveLength(4);
    server.close();
  });
});

describe('faults a request may ask for in its own header', () => {
  const content = [
    { type: 'text', text: 'Keep it.' },
    { type: 'file', file: { filename: 'a.txt', file_data: 'data:text/plain;base64,U0VDUkVULTQy' } },
  ];
  const store = async (target: Target) => {
    const turn = await (
      await chat(target, { messages: [{ role: 'user', content }] }, bearer('sk-owner-key-0001'))
    ).json();
    const run = await (
      await target.fetch(`/v1/runs/${turn.id}`, { headers: bearer('sk-owner-key-0001') })
    ).json();
    return run.file_ids[0] as string;
  };

  it('refuses a raised body-limit and the faults that lift separation; the operator may still queue them', async () => {
    const target = await inProcess({ auth: { mode: 'api-key' }, controlToken: 'root-control-token' });
    try {
      const fileId = await store(target);
      const intruder = bearer('sk-intruder-key-02');
      for (const fault of ['body-limit=40000000', 'files-any-user', 'accept-any-key']) {
        const response = await target.fetch(`/v1/files/${fileId}/content`, {
          headers: { ...intruder, 'x-threadline-fault': fault },
        });
        expect(await errorOf(response), fault).toMatchObject({
          status: 403,
          code: 'permission_denied',
          param: 'x-threadline-fault',
        });
      }
      // Lowering the limit stays the caller's own business.
      const lowered = await chat(
        target,
        { messages: userSays('hello there') },
        {
          ...intruder,
          'x-threadline-fault': 'body-limit=10',
        },
      );
      expect(await errorOf(lowered)).toMatchObject({ status: 413 });
      const queued = await postJson(
        target,
        '/__threadline/faults',
        { fault: 'files-any-user', count: 1 },
        bearer('root-control-token'),
      );
      expect(queued.status).toBe(201);
      const leaked = await target.fetch(`/v1/files/${fileId}/content`, { headers: intruder });
      expect(await leaked.text()).toBe('SECRET-42');
    } finally {
      await target.close();
    }
  });

  it("takes every fault from the header with headerFaults 'all' (a suite faulting its own requests)", async () => {
    const target = await inProcess({ auth: { mode: 'api-key' }, headerFaults: 'all' });
    try {
      const fileId = await store(target);
      const response = await target.fetch(`/v1/files/${fileId}/content`, {
        headers: { ...bearer('sk-intruder-key-02'), 'x-threadline-fault': 'files-any-user' },
      });
      expect(await response.text()).toBe('SECRET-42');
    } finally {
      await target.close();
    }
  });
});
