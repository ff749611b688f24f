import { healthSchema } from '@threadline/protocol/schemas';
import { describe, expect, it } from 'vitest';
import { chat, frames, TARGETS, type Target, userSays } from './support/target';

const remembers = async (target: Target, headers: Record<string, string>) => {
  await (await chat(target, { messages: userSays('The dialect word is PANGOLIN-5.') }, headers)).json();
  const body = await (
    await chat(target, { messages: userSays('What is the dialect word?') }, headers)
  ).json();
  return (body.choices[0].message.content as string).includes('PANGOLIN-5');
};

const session = { 'x-session-id': 'dialect' };
const thread = { 'ic-thread-id': 'dialect' };
const keyed = { authorization: 'Bearer sk-any' };

describe.each(TARGETS)('dialect emulation (%s)', (_name, make) => {
  it('threadline honours every memory header; ice only sessions; ingram only threads', async () => {
    const threadline = await make({ dialect: 'threadline' });
    const ice = await make({ dialect: 'ice' });
    const ingram = await make({
      dialect: 'ingram',
      auth: { agentTokens: [{ token: 'tok', tenant: 't', agent: 'smt_1' }] },
    });
    try {
      expect(await remembers(threadline, session)).toBe(true);
      expect(await remembers(threadline, { 'ic-thread-id': 'other' })).toBe(true);
      expect(await remembers(ice, session)).toBe(true);
      expect(await remembers(ice, thread)).toBe(false);
      // Each family's auth by default: none for threadline and ice, agent tokens for ingram.
      expect((await chat(ingram, { messages: userSays('x') })).status).toBe(401);
      expect((await chat(ice, { messages: userSays('x') })).status).toBe(200);
      const agent = { authorization: 'Bearer tok' };
      expect(await remembers(ingram, { ...agent, ...thread })).toBe(true);
      expect(await remembers(ingram, { ...agent, 'x-session-id': 'ignored' })).toBe(false);
    } finally {
      await Promise.all([threadline.close(), ice.close(), ingram.close()]);
    }
  });

  it('spice and openai are stateless, need API keys, and differ in error shape and progress', async () => {
    const spice = await make({ dialect: 'spice' });
    const openai = await make({ dialect: 'openai' });
    try {
      for (const target of [spice, openai]) {
        expect((await chat(target, { messages: userSays('x') })).status).toBe(401);
        expect(await remembers(target, { ...keyed, ...session })).toBe(false);
        expect(await remembers(target, { ...keyed, ...thread })).toBe(false);
      }
      const missing = await chat(spice, { model: 'nope', messages: userSays('x') }, keyed);
      expect(await missing.json()).toEqual({ error: "model 'nope' not found" });
      const nested = await chat(openai, { model: 'nope', messages: userSays('x') }, keyed);
      expect((await nested.json()).error.code).toBe('model_not_found');
      const progress = { ...keyed, 'x-spiceai-completion-progress': 'enabled' };
      const spiceFrames = await frames(
        await chat(spice, { messages: userSays('hi'), stream: true }, progress),
      );
      expect(spiceFrames.some((f) => f.event === 'progress')).toBe(true);
      const openaiFrames = await frames(
        await chat(openai, { messages: userSays('hi'), stream: true }, progress),
      );
      expect(openaiFrames.some((f) => f.event === 'progress')).toBe(false);
      // No server-side memory in either family: no ingest route.
      for (const target of [spice, openai]) {
        const ingest = await target.fetch('/v1/ingest?file_path=threadline-demo.md', {
          method: 'POST',
          headers: { ...keyed, ...session },
        });
        expect(ingest.status).toBe(404);
      }
    } finally {
      await Promise.all([spice.close(), openai.close()]);
    }
  });

  it('ice ingests into sessions, sends no progress events, and refuses an ingest without a session', async () => {
    const ice = await make({ dialect: 'ice' });
    try {
      const post = (headers: Record<string, string>) =>
        ice.fetch('/v1/ingest?file_path=threadline-demo.md', { method: 'POST', headers });
      expect((await post(session)).status).toBe(200);
      expect((await post(thread)).status).toBe(400);
      const all = await frames(
        await chat(
          ice,
          { messages: userSays('hi'), stream: true },
          { 'x-spiceai-completion-progress': 'enabled' },
        ),
      );
      expect(all.some((f) => f.event === 'progress')).toBe(false);
      expect(all.at(-1)!.data).toBe('[DONE]');
    } finally {
      await ice.close();
    }
  });

  it('answers /health in every dialect with the engine emulated and whether memory is on', async () => {
    const bodies: Record<string, unknown> = {};
    for (const dialect of ['threadline', 'ice', 'ingram', 'spice', 'openai'] as const) {
      const target = await make({ dialect });
      try {
        bodies[dialect] = healthSchema.parse(await (await target.fetch('/health')).json());
      } finally {
        await target.close();
      }
    }
    expect(bodies.threadline).toMatchObject({
      engine: 'Threadline reference server',
      ledger_status: 'connected',
    });
    expect(bodies.ice).toMatchObject({
      engine: 'Threadline reference server (ice dialect)',
      ledger_status: 'connected',
    });
    expect(bodies.ingram).toMatchObject({ ledger_status: 'connected' });
    expect(bodies.spice).toMatchObject({
      engine: 'Threadline reference server (spice dialect)',
      ledger_status: 'disabled',
    });
    expect(bodies.openai).toMatchObject({ ledger_status: 'disabled' });
  });
});
