import { ERROR_CODES } from '@threadline/protocol';
import { describe, expect, it } from 'vitest';
import { respond, responseBody } from './support/responses';
import { chat, TARGETS, type Target, userSays } from './support/target';

// An id with `::` is meant as an approval decision. One that is not `<run_id>::<tool_call_id>` (the
// docs' `RUN::CALL` placeholder pasted as is, say) must be refused, never read as a client tool result.

const DELETE = 'Please delete the draft Q3-plan.';
const MALFORMED = ['RUN::CALL', 'run_abc::call_1::extra', '::', 'run_abc::'];

const answering = (id: string, content = 'approve') => [
  { role: 'user', content: DELETE },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id, type: 'function', function: { name: 'delete_draft', arguments: '{}' } }],
  },
  { role: 'tool', tool_call_id: id, content },
];

const run = async (target: Target, id: string) => (await target.fetch(`/v1/runs/${id}`)).json();

async function expectUnknownId(response: Response, param: string, id: string) {
  expect(response.status).toBe(400);
  const { error } = await response.json();
  expect(error).toMatchObject({ code: ERROR_CODES.unknownApprovalId, param });
  expect(error.message).toContain(`'${id}' is not an approval id`);
}

describe.each(TARGETS)('approval ids that are not well formed (%s)', (_name, make) => {
  it('chat: a tool message whose id has `::` but is no approval id is 400 unknown_approval_id', async () => {
    const target = await make();
    try {
      const paused = await (await chat(target, { messages: userSays(DELETE) })).json();
      for (const id of MALFORMED) {
        await expectUnknownId(await chat(target, { messages: answering(id) }), 'messages', id);
        await expectUnknownId(await chat(target, { messages: answering(id), stream: true }), 'messages', id);
      }
      // Nothing ran, and the real pause is still waiting for its decision.
      expect(target.server.tools.executions).toHaveLength(0);
      expect(await run(target, paused.id)).toMatchObject({ status: 'awaiting_approval' });
    } finally {
      await target.close();
    }
  });

  it('chat: an id without `::` is still an ordinary client tool result', async () => {
    const target = await make();
    try {
      const response = await chat(target, { messages: answering('call_client_1', '42') });
      expect(response.status).toBe(200);
      expect((await response.json()).choices[0].message.content).toBe('delete_draft returned 42');
    } finally {
      await target.close();
    }
  });

  it('responses: an mcp_approval_response or function_call_output with such an id is 400 too', async () => {
    const target = await make();
    try {
      const decision = { type: 'mcp_approval_response', approval_request_id: 'RUN::CALL', approve: true };
      const asDecision = await respond(target, { input: [decision] });
      expect((await responseBody(asDecision.clone())).error.param).toBe('input');
      await expectUnknownId(asDecision, 'input', 'RUN::CALL');
      const asOutput = await respond(target, {
        input: [
          { type: 'message', role: 'user', content: DELETE },
          { type: 'function_call', call_id: 'RUN::CALL', name: 'delete_draft', arguments: '{}' },
          { type: 'function_call_output', call_id: 'RUN::CALL', output: 'approve' },
        ],
      });
      await expectUnknownId(asOutput, 'input', 'RUN::CALL');
      // An mcp_approval_response is a decision whatever its id: one without `::` is refused too.
      const plain = await respond(target, {
        input: [{ type: 'mcp_approval_response', approval_request_id: 'call_1', approve: true }],
      });
      await expectUnknownId(plain, 'input[0].approval_request_id', 'call_1');
      expect(target.server.tools.executions).toHaveLength(0);
    } finally {
      await target.close();
    }
  });

  it('the accept-unknown-approval fault passes such an id over, so the suite can catch it', async () => {
    const target = await make();
    try {
      const response = await chat(
        target,
        { messages: answering('RUN::CALL') },
        { 'x-threadline-fault': 'accept-unknown-approval' },
      );
      expect(response.status).toBe(200);
      expect(target.server.tools.executions).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});
