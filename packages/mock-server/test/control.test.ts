import { describe, expect, it } from 'vitest';
import { chat, postJson, TARGETS, userSays } from './support/target';

describe.each(TARGETS)('control routes (%s)', (_name, make) => {
  it('journals requests with credentials masked, body, status and run id', async () => {
    const target = await make();
    try {
      const response = await chat(
        target,
        { messages: userSays('journal me') },
        { authorization: 'Bearer sk-secret-value-123', 'api-key': 'azure-key-456', cookie: 'sid=abcdef' },
      );
      const runId = response.headers.get('x-threadline-run-id');
      await response.text();
      const { entries } = await (await target.fetch('/__threadline/journal')).json();
      const entry = entries.at(-1);
      expect(entry).toMatchObject({
        method: 'POST',
        path: '/v1/chat/completions',
        status: 200,
        runId,
        body: { model: '', messages: [{ role: 'user', content: 'journal me' }] },
      });
      const text = JSON.stringify(entries);
      for (const secret of ['sk-secret-value-123', 'azure-key-456', 'sid=abcdef'])
        expect(text).not.toContain(secret);
      expect(entry.headers.authorization).toMatch(/^Bearer sk-s\*+$/);
      expect(entry.headers['api-key']).toMatch(/^azur\*+$/);
      await (await chat(target, { messages: userSays('second') })).text();
      const last = await (await target.fetch('/__threadline/journal?limit=1')).json();
      expect(last.entries.map((e: { body: { messages: unknown } }) => e.body.messages)).toEqual([
        userSays('second'),
      ]);
      const bad = await target.fetch('/__threadline/journal?limit=some');
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toMatchObject({ code: 'invalid_value', param: 'limit' });
    } finally {
      await target.close();
    }
  });

  it('reset empties memory, documents, files, runs, approvals, executions, faults and the journal; fixtures go back to the config', async () => {
    const target = await make({
      fixtures: [{ id: 'cfg', match: { userText: 'config?' }, reply: { text: 'yes' } }],
    });
    try {
      const session = { 'x-session-id': 'r' };
      await (await chat(target, { messages: userSays('The reset word is WALRUS-2.') }, session)).json();
      const ingest = await target.fetch('/v1/ingest?file_path=threadline-demo.md', {
        method: 'POST',
        headers: session,
      });
      expect(ingest.status).toBe(200);
      const png = 'data:image/png;base64,iVBORw0KGgo=';
      const withFile = await (
        await chat(target, {
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] }],
        })
      ).json();
      const fileId = (await (await target.fetch(`/v1/runs/${withFile.id}`)).json()).file_ids[0];
      expect((await target.fetch(`/v1/files/${fileId}`)).status).toBe(200);
      await postJson(target, '/__threadline/fixtures', {
        id: 'added',
        match: { userText: 'added?' },
        reply: { text: 'yes' },
      });
      const looked = await (
        await chat(target, { messages: userSays('Please look up order A-1001.') })
      ).json();
      const paused = await (await chat(target, { messages: userSays('Please delete the draft x.') })).json();
      const tools = await (await target.fetch('/__threadline/tools')).json();
      expect(tools.tools.map((t: { name: string }) => t.name)).toEqual([
        'lookup_order',
        'list_drafts',
        'delete_draft',
      ]);
      expect(tools.executions).toHaveLength(1);

      expect((await postJson(target, '/__threadline/faults', { fault: 'status=500', count: 5 })).status).toBe(
        201,
      );

      const reset = await target.fetch('/__threadline/reset', { method: 'POST' });
      expect(await reset.json()).toEqual({ reset: true });
      expect((await (await target.fetch('/__threadline/faults')).json()).queued).toEqual([]);
      const { fixtures } = await (await target.fetch('/__threadline/fixtures')).json();
      expect(fixtures.map((f: { id: string }) => f.id)).toEqual(['cfg']);
      expect((await target.fetch(`/v1/files/${fileId}`)).status).toBe(404);
      const launch = await (
        await chat(target, { messages: userSays('What is the launch code?') }, session)
      ).json();
      expect(launch.choices[0].message.content).not.toContain('AMBER');
      expect((await (await target.fetch('/__threadline/tools')).json()).executions).toEqual([]);
      expect((await target.fetch(`/v1/runs/${looked.id}`)).status).toBe(404);
      const call = paused.choices[0].message.tool_calls[0];
      const resumed = await chat(target, {
        messages: [{ role: 'tool', tool_call_id: call.id, content: 'approve' }],
      });
      expect((await resumed.json()).error.code).toBe('unknown_approval_id');
      const asked = await (
        await chat(target, { messages: userSays('What is the reset word?') }, session)
      ).json();
      expect(asked.choices[0].message.content).toBe('You said: What is the reset word?');
      const { entries } = await (await target.fetch('/__threadline/journal')).json();
      // Only what came after the reset.
      expect(entries.map((e: { path: string }) => e.path)).toEqual([
        `/v1/files/${fileId}`,
        '/v1/chat/completions',
        `/v1/runs/${looked.id}`,
        '/v1/chat/completions',
        '/v1/chat/completions',
      ]);
    } finally {
      await target.close();
    }
  });

  it('requires an admin token when auth is on', async () => {
    const target = await make({
      auth: { apiKeys: ['user-key'] },
      controlToken: 'admin-secret',
    });
    try {
      expect((await target.fetch('/__threadline/journal')).status).toBe(401);
      const user = await target.fetch('/__threadline/journal', {
        headers: { authorization: 'Bearer user-key' },
      });
      expect(user.status).toBe(403);
      expect((await user.json()).error.code).toBe('admin_token_required');
      const reset = await target.fetch('/__threadline/reset', {
        method: 'POST',
        headers: { authorization: 'Bearer user-key' },
      });
      expect(reset.status).toBe(403);
      const admin = await target.fetch('/__threadline/journal', {
        headers: { authorization: 'Bearer admin-secret' },
      });
      expect(admin.status).toBe(200);
    } finally {
      await target.close();
    }
  });

  it('accepts a tenant-admin token, not an agent token, when auth uses agent tokens', async () => {
    const target = await make({
      auth: {
        agentTokens: [{ token: 'agent-tok', tenant: 'acme', agent: 'smt_1' }],
        adminTokens: [{ token: 'tenant-admin', tenant: 'acme' }],
      },
    });
    try {
      const as = (token: string) =>
        target.fetch('/__threadline/journal', { headers: { authorization: `Bearer ${token}` } });
      expect((await as('agent-tok')).status).toBe(403);
      expect((await as('tenant-admin')).status).toBe(200);
    } finally {
      await target.close();
    }
  });

  it('answers 404 on every control route with control off', async () => {
    const target = await make({ control: false });
    try {
      for (const [method, path] of [
        ['GET', '/__threadline/journal'],
        ['POST', '/__threadline/reset'],
        ['GET', '/__threadline/fixtures'],
        ['POST', '/__threadline/faults'],
        ['GET', '/__threadline/tools'],
      ] as const) {
        const response = await target.fetch(path, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
      }
      expect((await chat(target, { messages: userSays('still serving') })).status).toBe(200);
    } finally {
      await target.close();
    }
  });
});
