import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reply, Turn } from '../src/index';
import { chat, chunks, errorOf, frames, inProcess, userSays } from './support/target';

describe('turn engine hooks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lets prepare hooks supply retrieved context the model answers from', async () => {
    const target = await inProcess();
    target.server.state.hooks.prepare.push((turn) => {
      turn.retrieved.push('The code word is PELICAN.');
    });
    const body = await (await chat(target, { messages: userSays('What is the code word?') })).json();
    expect(body.choices[0].message.content).toBe(
      'You said: What is the code word? From memory: The code word is PELICAN.',
    );
    // Retrieved passages count as prompt tokens: 3 + (4 + 6 for the question) + 6 for the passage.
    expect(body.usage.prompt_tokens).toBe(3 + 4 + 6 + 6);
  });

  it('lets decide hooks answer before fixtures and the model, and transform hooks rewrite', async () => {
    const target = await inProcess({ fixtures: [{ match: {}, reply: { text: 'fixture' } }] });
    const { hooks } = target.server.state;
    hooks.decide.push((turn) =>
      turn.header('x-approve') ? { text: 'decided by hook', source: 'approvals' } : null,
    );
    hooks.transform.push((_turn, decision) =>
      decision.serverTool ? { text: `ran ${decision.serverTool.name}`, source: 'server-tools' } : decision,
    );
    expect(
      (await (await chat(target, { messages: userSays('x') }, { 'x-approve': '1' })).json()).choices[0]
        .message.content,
    ).toBe('decided by hook');
    expect((await (await chat(target, { messages: userSays('x') })).json()).choices[0].message.content).toBe(
      'fixture',
    );
    target.server.fixtures.clear();
    target.server.fixtures.add({ match: {}, reply: { serverTool: { name: 'lookup', arguments: {} } } });
    expect((await (await chat(target, { messages: userSays('x') })).json()).choices[0].message.content).toBe(
      'ran lookup',
    );
  });

  it('answers 500 when a fixture asks for a server tool nobody handles', async () => {
    const target = await inProcess({
      fixtures: [{ match: {}, reply: { serverTool: { name: 'wipe', arguments: {} } } }],
    });
    const response = await chat(target, { messages: userSays('x') });
    expect(await errorOf(response)).toMatchObject({ status: 500, type: 'server_error' });
    const run = await (await target.fetch(`/v1/runs/${response.headers.get('x-threadline-run-id')}`)).json();
    expect(run.status).toBe('failed');
  });

  it('lets a decision pause for approval: the run records the status and tool calls it gives', async () => {
    const target = await inProcess();
    target.server.state.hooks.decide.push(() => ({
      toolCalls: [{ id: 'run_x::tc_1', name: 'delete_page', arguments: { id: 'p1' } }],
      stopReason: 'awaiting_approval',
      runToolCalls: [
        { id: 'run_x::tc_1', name: 'delete_page', arguments: '{"id":"p1"}', status: 'awaiting_approval' },
      ],
      source: 'approvals',
    }));
    const body = await (await chat(target, { messages: userSays('Delete the May draft.') })).json();
    expect(body.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { tool_calls: [{ id: 'run_x::tc_1' }] },
    });
    const run = await (await target.fetch(`/v1/runs/${body.id}`)).json();
    expect(run).toMatchObject({ status: 'awaiting_approval', stop_reason: 'awaiting_approval' });
    expect(run.tool_calls[0].status).toBe('awaiting_approval');
  });

  it('tells finish hooks how each turn ended, streamed or not (not for turns refused before they began)', async () => {
    const target = await inProcess();
    const seen: Array<{ status: string; text: string | null }> = [];
    target.server.state.hooks.finish.push((_turn: Turn, reply: Reply | null, run) => {
      seen.push({ status: run.status, text: reply?.text ?? null });
    });
    await (await chat(target, { messages: userSays('one') })).json();
    await chunks(await chat(target, { messages: userSays('two'), stream: true }));
    await (await chat(target, { model: 'missing', messages: userSays('three') })).json();
    expect(seen).toEqual([
      { status: 'completed', text: 'You said: one' },
      { status: 'completed', text: 'You said: two' },
    ]);
  });

  it('survives a failing finish hook: the stream completes and the error is reported', async () => {
    const target = await inProcess();
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    target.server.state.hooks.finish.push(() => {
      throw new Error('ledger down');
    });
    const all = await frames(await chat(target, { messages: userSays('hello'), stream: true }));
    expect(all.at(-1)!.data).toBe('[DONE]');
    expect(report).toHaveBeenCalledWith(expect.stringContaining('end hook failed'), expect.any(Error));
  });

  it('answers a failing prepare hook with a 500 and records the run failed', async () => {
    const target = await inProcess();
    target.server.state.hooks.prepare.push(() => {
      throw new Error('memory offline');
    });
    const response = await chat(target, { messages: userSays('x'), stream: true });
    expect(await errorOf(response)).toMatchObject({
      status: 500,
      message: expect.stringContaining('memory offline'),
    });
    const run = await (await target.fetch(`/v1/runs/${response.headers.get('x-threadline-run-id')}`)).json();
    expect(run).toMatchObject({ status: 'failed', stop_reason: 'error' });
  });

  it('runs reset handlers on reset()', async () => {
    const target = await inProcess();
    let resets = 0;
    target.server.state.resetHandlers.push(() => {
      resets++;
    });
    await (await chat(target, { messages: userSays('x') })).json();
    target.server.reset();
    expect(resets).toBe(1);
    expect(target.server.journal.list()).toEqual([]);
  });
});
