import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { respond, responseBody, streamEvents, terminalOf } from './support/responses';
import { TARGETS, type Target } from './support/target';

// The demo prompts of docs/server-state.md on the Responses door: the read-only tool is an mcp_call
// item, the destructive one pauses on an mcp_approval_request; the run record and the journal cover
// these turns as they cover chat's.
const LOOKUP = 'Please look up order A-1001.';
const DELETE = 'Please delete the draft Q3-plan.';

describe.each(TARGETS)('the demo set on /v1/responses (%s)', (_name, make) => {
  let target: Target;
  beforeAll(async () => {
    target = await make();
  });
  afterAll(() => target.close());
  const as = (user: string) => ({ 'x-user-id': user });

  it('the lookup prompt is an mcp_call item, then the text; its run and journal entry say so', async () => {
    const body = await responseBody(await respond(target, { input: LOOKUP }, as('looker')));
    expect(body.output.map((item: { type: string }) => item.type)).toEqual(['mcp_call', 'message']);
    expect(body.output[0]).toMatchObject({
      name: 'lookup_order',
      server_label: 'threadline',
      arguments: '{"order_id":"A-1001"}',
      status: 'completed',
    });
    expect(JSON.parse(body.output[0].output)).toMatchObject({ order_id: 'A-1001', status: 'shipped' });
    const run = await (await target.fetch(`/v1/runs/${body.id}`, { headers: as('looker') })).json();
    expect(run).toMatchObject({ id: body.id, status: 'completed' });
    expect(run.tool_calls).toEqual([expect.objectContaining({ name: 'lookup_order', status: 'executed' })]);
    const { entries } = await (await target.fetch('/__threadline/journal?limit=5')).json();
    const entry = entries.find((e: { runId: string | null }) => e.runId === body.id);
    expect(entry).toMatchObject({ method: 'POST', path: '/v1/responses', status: 200 });
    expect(entry.body).toMatchObject({ input: LOOKUP });
  });

  it('the delete prompt streams an mcp_approval_request last; the run awaits approval; approved, it runs', async () => {
    const events = await streamEvents(await respond(target, { input: DELETE, stream: true }, as('deleter')));
    const paused = terminalOf(events);
    expect(paused.status).toBe('completed');
    const request = paused.output.at(-1);
    expect(request).toMatchObject({
      type: 'mcp_approval_request',
      name: 'delete_draft',
      arguments: '{"draft_id":"Q3-plan"}',
    });
    expect(request.id).toBe(`${paused.id}::${request.id.split('::')[1]}`);
    const run = await (await target.fetch(`/v1/runs/${paused.id}`, { headers: as('deleter') })).json();
    expect(run.status).toBe('awaiting_approval');
    const resumed = await responseBody(
      await respond(
        target,
        {
          previous_response_id: paused.id,
          input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
        },
        as('deleter'),
      ),
    );
    expect(resumed.output[0]).toMatchObject({ type: 'mcp_call', approval_request_id: request.id });
    const after = await (await target.fetch(`/v1/runs/${paused.id}`, { headers: as('deleter') })).json();
    expect(after.status).toBe('completed');
    const { entries } = await (await target.fetch('/__threadline/journal')).json();
    const turns = [paused.id, resumed.id];
    const paths = entries
      .filter((e: { runId: string | null }) => turns.includes(e.runId))
      .map((e: { path: string }) => e.path);
    expect(paths).toEqual(['/v1/responses', '/v1/responses']);
  });
});
