import { ERROR_CODES, parseApprovalId } from '@threadline/protocol';
import { ERROR_GROUND, ensure, ensureErrorAnswer, ensureGround } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  ensureResponse,
  itemsOfType,
  type LooseResponse,
  type Obj,
  RESPONSES,
  responsesBody,
} from './responses-support';
import { CHAT, ensureCompletion } from './support';

const family = { family: 'responses', capability: 'responses', section: SECTIONS.responses } as const;
const readsErrors = { after: [ERROR_GROUND.shape, ERROR_GROUND.codeType] } as const;

/** The check that judges the responses pause; the other approval checks build on one. */
const PAUSE_CHECK = 'responses.approvals.pause';
/** The chat door's pause check, for the check deciding a chat pause here. */
const CHAT_PAUSE_CHECK = 'approvals.pause.json';
const RUNS_CHECK = 'runs.record';
const needs = { requires: ['approvals'], fixtures: ['destructivePrompt'] } as const;

interface Pause {
  responseId: string;
  item: Obj & { id: string };
}

/** Sends the destructive prompt; returns its approval request. `by`: a missing pause blocks the check. */
async function pause(ctx: CheckContext, by: string | null = PAUSE_CHECK): Promise<Pause> {
  const answer = await ctx.send({
    path: RESPONSES,
    json: responsesBody(ctx, ctx.fixtures.destructivePrompt!),
  });
  type Judge = (ok: unknown, message: string, expected: string, got: unknown) => asserts ok;
  const check: Judge = by
    ? (ok, message, expected, got) => ensureGround(ok, by, message, expected, got)
    : (ok, message, expected, got) => ensure(ok, message, expected, got);
  const response = ensureResponse(answer, 'the destructive prompt', by ?? undefined);
  const item = response.output.at(-1);
  check(
    item?.type === 'mcp_approval_request',
    'the destructive prompt did not pause',
    'an mcp_approval_request item last',
    response.output,
  );
  const id = typeof item.id === 'string' ? parseApprovalId(item.id) : null;
  check(id, 'the approval request id is not an approval id', '<run_id>::<tool_call_id>', item.id);
  check(
    id.runId === response.id,
    "the approval id does not name the response's run",
    `${String(response.id)}::…`,
    item.id,
  );
  return { responseId: String(response.id), item: item as Obj & { id: string } };
}

const decision = (id: string, approve: boolean) => ({
  type: 'mcp_approval_response',
  approval_request_id: id,
  approve,
});

/** The status of a run, read leniently; a run that cannot be read blocks the check by runs.record. */
async function runStatus(ctx: CheckContext, id: string): Promise<unknown> {
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(id)}` });
  ensureGround(
    answer.status === 200 && typeof answer.json === 'object' && answer.json !== null,
    RUNS_CHECK,
    `GET /v1/runs/${id}: no run record`,
    'HTTP 200 with a run record',
    `HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
  );
  return (answer.json as { status?: unknown }).status;
}

/** The approval's tool ran in this response: an mcp_call item naming the approval. */
function ensureToolRan(response: LooseResponse, approvalId: string, what: string): void {
  const calls = itemsOfType(response, 'mcp_call');
  ensure(
    calls.some((call) => call.approval_request_id === approvalId),
    `${what}: no mcp_call item for the approved call`,
    `an mcp_call with approval_request_id ${approvalId}`,
    response.output,
  );
}

/** Family responses, approvals: the pause, its decisions, and both doors deciding each other's pauses. */
export const RESPONSES_APPROVAL_CHECKS: Check[] = [
  {
    ...family,
    ...needs,
    id: PAUSE_CHECK,
    title: 'The destructive prompt pauses with an mcp_approval_request whose id is <run_id>::<tool_call_id>',
    level: 'MUST',
    async run(ctx) {
      await pause(ctx, null);
    },
  },
  {
    ...family,
    ...needs,
    after: [PAUSE_CHECK],
    id: 'responses.approvals.approve',
    title: 'An approving mcp_approval_response runs the tool: an mcp_call item follows',
    level: 'MUST',
    async run(ctx) {
      const p = await pause(ctx);
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, [decision(p.item.id, true)], { previous_response_id: p.responseId }),
      });
      ensureToolRan(ensureResponse(answer, 'the approval'), p.item.id, 'the approval');
    },
  },
  {
    ...family,
    ...needs,
    requires: ['approvals', 'runs'],
    after: [PAUSE_CHECK, RUNS_CHECK],
    id: 'responses.approvals.reject',
    title: 'A rejecting mcp_approval_response runs nothing and the run ends approval_rejected',
    level: 'MUST',
    async run(ctx) {
      const p = await pause(ctx);
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, [decision(p.item.id, false)], { previous_response_id: p.responseId }),
      });
      const response = ensureResponse(answer, 'the rejection');
      const calls = itemsOfType(response, 'mcp_call');
      ensure(calls.length === 0, 'the rejected tool ran', 'no mcp_call item', calls);
      const status = await runStatus(ctx, p.responseId);
      ensure(
        status === 'approval_rejected',
        'the paused run did not end approval_rejected',
        'approval_rejected',
        status,
      );
    },
  },
  {
    ...family,
    requires: ['approvals'],
    ...readsErrors,
    id: 'responses.approvals.unknown-id',
    title: 'An mcp_approval_response for an approval never issued is 400 unknown_approval_id',
    level: 'MUST',
    async run(ctx) {
      const id = `run_${ctx.uid('never').replace(/-/g, '')}::call_never`;
      const answer = await ctx.send({ path: RESPONSES, json: responsesBody(ctx, [decision(id, true)]) });
      ensureErrorAnswer(
        answer,
        { status: 400, code: ERROR_CODES.unknownApprovalId },
        'an unknown approval id',
      );
    },
  },
  {
    ...family,
    ...needs,
    after: [CHAT_PAUSE_CHECK],
    id: 'responses.approvals.chat-pause-decided-here',
    title: 'A pause raised on chat is approved by an mcp_approval_response on responses',
    level: 'MUST',
    async run(ctx) {
      const chat = await ctx.send({ path: CHAT, json: ctx.chatBody(ctx.fixtures.destructivePrompt!) });
      const completion = ensureCompletion(chat, 'the destructive prompt on chat', CHAT_PAUSE_CHECK);
      const id = completion.choices[0]!.message.tool_calls?.[0]?.id;
      ensureGround(
        id && parseApprovalId(id),
        CHAT_PAUSE_CHECK,
        'the chat turn did not pause',
        'an approval id',
        completion.choices[0],
      );
      const answer = await ctx.send({ path: RESPONSES, json: responsesBody(ctx, [decision(id, true)]) });
      ensureToolRan(ensureResponse(answer, 'the approval on responses'), id, 'the approval on responses');
    },
  },
  {
    ...family,
    ...needs,
    requires: ['approvals', 'runs'],
    after: [PAUSE_CHECK, RUNS_CHECK],
    id: 'responses.approvals.pause-decided-on-chat',
    title:
      'A pause raised on responses is rejected by a tool message on chat (the run ends approval_rejected)',
    level: 'MUST',
    async run(ctx) {
      const p = await pause(ctx);
      const call = {
        id: p.item.id,
        type: 'function',
        function: { name: p.item.name, arguments: p.item.arguments },
      };
      const messages = [
        { role: 'user', content: ctx.fixtures.destructivePrompt! },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: p.item.id, content: 'reject' },
      ];
      ensureCompletion(await ctx.send({ path: CHAT, json: ctx.chatBody(messages) }), 'the rejection on chat');
      const status = await runStatus(ctx, p.responseId);
      ensure(
        status === 'approval_rejected',
        'the paused run did not end approval_rejected',
        'approval_rejected',
        status,
      );
    },
  },
];
