import { describe, expect, it } from 'vitest';
import { chat, TARGETS, userSays } from './support/target';

const config = {
  auth: {
    agentTokens: [
      { token: 'tok-acme', tenant: 'acme', agent: 'smt_acme' },
      { token: 'tok-globex', tenant: 'globex', agent: 'smt_globex' },
    ],
  },
};

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe.each(TARGETS)('isolation between tenants and users (%s)', (_name, make) => {
  it('another tenant sees none of the memory, and 404 for files, runs and approvals whatever it guesses', async () => {
    const target = await make(config);
    try {
      const acme = { authorization: 'Bearer tok-acme', 'x-session-id': 'shared' };
      const globex = { authorization: 'Bearer tok-globex', 'x-session-id': 'shared' };
      const stated = await (
        await chat(
          target,
          {
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'The acme merger code is LYNX-88.' },
                  { type: 'image_url', image_url: { url: PNG } },
                ],
              },
            ],
          },
          acme,
        )
      ).json();
      const fileId = (await target.fetch(`/v1/runs/${stated.id}`, { headers: acme }).then((r) => r.json()))
        .file_ids[0];
      expect(fileId).toMatch(/^file-/);

      const asked = await (
        await chat(target, { messages: userSays('What is the merger code?') }, globex)
      ).json();
      expect(asked.choices[0].message.content).toBe('You said: What is the merger code?');
      for (const path of [`/v1/runs/${stated.id}`, `/v1/files/${fileId}`, `/v1/files/${fileId}/content`]) {
        const response = await target.fetch(path, { headers: globex });
        expect(response.status).toBe(404);
        expect(await response.text()).not.toContain('LYNX');
      }
      const paused = await (
        await chat(target, { messages: userSays('Please delete the draft x.') }, acme)
      ).json();
      const call = paused.choices[0].message.tool_calls[0];
      const stolen = await chat(
        target,
        { messages: [{ role: 'tool', tool_call_id: call.id, content: 'approve' }] },
        globex,
      );
      expect((await stolen.json()).error.code).toBe('unknown_approval_id');
      expect(target.server.tools.executions).toHaveLength(0);
      // Documents ingested by one tenant stay in its session.
      const ingest = await target.fetch('/v1/ingest?file_path=threadline-demo.md', {
        method: 'POST',
        headers: acme,
      });
      expect(ingest.status).toBe(200);
      const launch = await (
        await chat(target, { messages: userSays('What is the launch code?') }, globex)
      ).json();
      expect(launch.choices[0].message.content).not.toContain('AMBER');
      const own = await (await chat(target, { messages: userSays('What is the merger code?') }, acme)).json();
      expect(own.choices[0].message.content).toContain('LYNX-88');
    } finally {
      await target.close();
    }
  });

  it('another user of the same server gets 404 for runs and files, whatever ids it guesses', async () => {
    const target = await make();
    try {
      const alice = { 'x-user-id': 'alice' };
      const mallory = { 'x-user-id': 'mallory' };
      const image = { type: 'image_url', image_url: { url: PNG } };
      const stated = await (
        await chat(
          target,
          { messages: [{ role: 'user', content: [{ type: 'text', text: 'LYNX-88' }, image] }] },
          alice,
        )
      ).json();
      const run = await (await target.fetch(`/v1/runs/${stated.id}`, { headers: alice })).json();
      const fileId = run.file_ids[0];
      expect((await target.fetch(`/v1/files/${fileId}`, { headers: alice })).status).toBe(200);
      for (const path of [`/v1/runs/${stated.id}`, `/v1/files/${fileId}`, `/v1/files/${fileId}/content`]) {
        const response = await target.fetch(path, { headers: mallory });
        expect(response.status, path).toBe(404);
        expect((await response.json()).error.code).toBe('not_found');
      }
      // Citing the file id in a turn of its own does not reach it either.
      const cited = await chat(
        target,
        { messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: fileId } }] }] },
        mallory,
      );
      expect(cited.status).toBe(400);
      expect(await cited.text()).not.toContain('LYNX');
    } finally {
      await target.close();
    }
  });

  it('takes e-mail addresses as user ids, plus-addressed ones apart from the plain one', async () => {
    const target = await make();
    try {
      const plus = { 'x-user-id': 'ada+work@example.com', 'x-session-id': 'mail' };
      const plain = { 'x-user-id': 'ada@example.com', 'x-session-id': 'mail' };
      const stated = await chat(target, { messages: userSays('My desk number is HERON-31.') }, plus);
      expect(stated.status).toBe(200);
      const recalled = await (
        await chat(target, { messages: userSays('What is my desk number?') }, plus)
      ).json();
      expect(recalled.choices[0].message.content).toContain('HERON-31');
      const other = await (
        await chat(target, { messages: userSays('What is my desk number?') }, plain)
      ).json();
      expect(other.choices[0].message.content).not.toContain('HERON-31');
    } finally {
      await target.close();
    }
  });

  it('refuses a user id that could pass for another key holder (typed 400), so owners never collide', async () => {
    const target = await make({ auth: { mode: 'api-key' } });
    try {
      const victim = { authorization: 'Bearer team/ops', 'x-user-id': 'lee', 'x-session-id': 's' };
      await (await chat(target, { messages: userSays('The ops pager code is KIWI-12.') }, victim)).json();
      // Key "team" with user "ops/lee" would otherwise name the same owner as key "team/ops", user "lee".
      const forged = { authorization: 'Bearer team', 'x-user-id': 'ops/lee', 'x-session-id': 's' };
      const response = await chat(target, { messages: userSays('What is the pager code?') }, forged);
      expect(response.status).toBe(400);
      const body = await response.text();
      expect(body).not.toContain('KIWI');
      expect(JSON.parse(body).error).toMatchObject({ code: 'invalid_value', param: 'x-user-id' });
    } finally {
      await target.close();
    }
  });
});
