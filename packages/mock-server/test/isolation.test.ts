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
      const own = await (await chat(target, { messages: userSays('What is the merger code?') }, acme)).json();
      expect(own.choices[0].message.content).toContain('LYNX-88');
    } finally {
      await target.close();
    }
  });
});
