import { ERROR_CODES, parseApprovalId } from '@threadline/protocol';
import type { ChatCompletion } from '@threadline/protocol/schemas';
import { CheckSkipped, ensure, ensureErrorAnswer, ensureGround, ensureOk } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  completeChunks,
  ensureCompletion,
  finishReasons,
  isJson,
  STREAM_GROUND,
  streamedText,
} from './support';

const family = { family: 'approvals' } as const;
const needs = { capability: 'approvals', fixtures: ['destructivePrompt'] } as const;

interface Pause {
  completion: ChatCompletion;
  call: { id: string; type: 'function'; function: { name: string; arguments: string } };
  runId: string;
}

/** The check that judges the pause itself: every other approval check builds on a pause. */
const PAUSE_CHECK = 'approvals.pause.json';
const afterPause = { after: [PAUSE_CHECK] } as const;

/**
 * Sends the destructive prompt and returns the approval pause it must produce. `by` (every check but
 * the pause check itself): a missing or malformed pause blocks the check instead of failing it.
 */
async function pause(
  ctx: CheckContext,
  headers: Record<string, string> = {},
  by: string | null = PAUSE_CHECK,
): Promise<Pause> {
  const answer = await ctx.send({
    path: CHAT,
    json: ctx.chatBody(ctx.fixtures.destructivePrompt!),
    headers,
  });
  type Judge = (ok: unknown, message: string, expected: string, got: unknown) => asserts ok;
  const check: Judge = by
    ? (ok, message, expected, got) => ensureGround(ok, by, message, expected, got)
    : (ok, message, expected, got) => ensure(ok, message, expected, got);
  const completion = ensureCompletion(answer, 'the destructive prompt', by ?? undefined);
  const choice = completion.choices[0]!;
  const call = choice.message.tool_calls?.[0];
  check(call, 'the destructive prompt did not pause for approval', 'a tool_calls entry', choice.message);
  check(
    choice.finish_reason === 'tool_calls',
    'the pause has the wrong finish_reason',
    'tool_calls',
    choice.finish_reason,
  );
  check(call.function.name, 'the paused call names no tool', "the destructive tool's name", call);
  check(
    typeof call.function.arguments === 'string' && isJson(call.function.arguments),
    "the paused call's arguments are not JSON",
    'JSON arguments',
    call.function.arguments,
  );
  const id = typeof call.id === 'string' ? parseApprovalId(call.id) : null;
  check(id, 'the tool call id is not an approval id', '<run_id>::<tool_call_id>', call.id);
  check(
    id.runId === completion.id,
    "the approval id does not name the turn's run",
    `${completion.id}::…`,
    call.id,
  );
  return { completion, call, runId: id.runId };
}

/**
 * Headers naming a user no other check uses, so one check's destructive tool cannot change what
 * another observes. Skips when the dialect names no user header.
 */
function ownUser(ctx: CheckContext, role = 'owner'): Record<string, string> {
  const { userHeader } = ctx.dialect.memory;
  if (!userHeader) {
    throw new CheckSkipped(
      `dialect ${ctx.dialect.name} names no user header, so checks cannot keep their tool effects apart`,
    );
  }
  return { [userHeader]: ctx.uid(role) };
}

/**
 * True when the effect prompt's reply (for the user `headers` name) shows the effect marker: the
 * destructive tool has not run for that user.
 */
async function markerShown(ctx: CheckContext, headers: Record<string, string>, what: string) {
  const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(ctx.fixtures.effectPrompt!), headers });
  const reply = ensureCompletion(answer, what).choices[0]!.message.content ?? '';
  return { shown: reply.includes(ctx.fixtures.effectMarker!), reply };
}

/**
 * The marker shows while the pause waits (nothing ran yet): else the effect fixtures prove nothing on
 * this server. Read after the pause, so a server that cannot pause is blocked by the pause check first.
 */
async function ensureMarkerBefore(ctx: CheckContext, headers: Record<string, string>): Promise<void> {
  const before = await markerShown(ctx, headers, 'the effect prompt, while the pause waits');
  ensure(
    before.shown,
    'the effect prompt does not show the marker while nothing ran (check the effectPrompt/effectMarker fixtures)',
    `a reply containing ${ctx.fixtures.effectMarker}`,
    before.reply,
  );
}

/** The conversation that answers a pause with a decision. */
const decide = (ctx: CheckContext, p: Pause, decision: string, extra: Record<string, unknown> = {}) =>
  ctx.chatBody(
    [
      { role: 'user', content: ctx.fixtures.destructivePrompt! },
      { role: 'assistant', content: null, tool_calls: [p.call] },
      { role: 'tool', tool_call_id: p.call.id, content: decision },
    ],
    extra,
  );

/** Sends a decision on a pause, as JSON. */
const sendDecision = (ctx: CheckContext, p: Pause, decision: string, headers: Record<string, string> = {}) =>
  ctx.send({ path: CHAT, json: decide(ctx, p, decision), headers });

/** A decision the server accepts; returns the id of the run that answered it. */
async function decided(
  ctx: CheckContext,
  p: Pause,
  decision: 'approve' | 'reject',
  headers: Record<string, string> = {},
): Promise<string> {
  const what = decision === 'approve' ? 'the approval' : 'the rejection';
  return ensureCompletion(await sendDecision(ctx, p, decision, headers), what).id;
}

/** A decision the server must refuse: 400 with `code`. */
async function ensureDecisionRefused(
  ctx: CheckContext,
  p: Pause,
  decision: string,
  code: string,
  what: string,
  headers: Record<string, string> = {},
): Promise<void> {
  ensureErrorAnswer(await sendDecision(ctx, p, decision, headers), { status: 400, code }, what);
}

/** The check that judges run records: a check that cannot read one is blocked by it when it failed. */
const RUNS_CHECK = 'runs.record';
const afterPauseAndRuns = { after: [PAUSE_CHECK, RUNS_CHECK] } as const;

/** A run record read as the user `headers` name (runs are their owner's), leniently. */
async function record(ctx: CheckContext, id: string, headers: Record<string, string> = {}) {
  const answer = await ctx.send({ path: `/v1/runs/${encodeURIComponent(id)}`, headers });
  ensureGround(
    answer.status === 200 && typeof answer.json === 'object' && answer.json !== null,
    RUNS_CHECK,
    `GET /v1/runs/${id}: no run record`,
    'HTTP 200 with a run record',
    `HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
  );
  const run = answer.json as { status?: unknown; tool_calls?: unknown };
  const calls = (Array.isArray(run.tool_calls) ? run.tool_calls : []) as Array<{
    id?: unknown;
    status?: unknown;
  }>;
  return { status: run.status, tool_calls: calls };
}

/** The tool calls of a run record read as the user `headers` name. */
const toolCallsOf = async (ctx: CheckContext, id: string, headers: Record<string, string>) =>
  (await record(ctx, id, headers)).tool_calls;

/**
 * How the run records see the paused call after a decision: the paused run and the run that answered
 * the decision (the same run on servers that resume in place). Fails when neither lists the call — a
 * record that never lists tool calls would otherwise prove nothing about what ran.
 */
async function callsAfterDecision(ctx: CheckContext, p: Pause, resumedId: string) {
  const records = [];
  for (const id of new Set([p.runId, resumedId])) records.push({ id, ...(await record(ctx, id)) });
  const calls = records.flatMap((r) => r.tool_calls);
  ensure(
    calls.some((c) => c.id === p.call.id),
    'no run record lists the paused call',
    `a tool_calls entry with id ${p.call.id} in run ${[...new Set([p.runId, resumedId])].join(' or ')}`,
    records.map((r) => ({ id: r.id, status: r.status, tool_calls: r.tool_calls })),
  );
  return calls;
}

/** Family 4: destructive server tools pause for approval; approve resumes, reject executes nothing. */
export const APPROVAL_CHECKS: Check[] = [
  {
    ...family,
    ...needs,
    id: 'approvals.pause.json',
    title: 'The destructive prompt pauses with a <run_id>::<tool_call_id> id and finish "tool_calls"',
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      await pause(ctx, {}, null);
    },
  },
  {
    ...family,
    ...needs,
    after: STREAM_GROUND,
    id: 'approvals.pause.stream',
    title: 'Streamed, the pause arrives as a tool-call delta with the approval id',
    requires: ['streaming'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const stream = await ctx.stream({
        path: CHAT,
        json: ctx.chatBody(ctx.fixtures.destructivePrompt!, { stream: true }),
      });
      const chunks = completeChunks(stream, 'the destructive prompt, streamed');
      const id = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).find((d) => d.id)?.id;
      ensure(
        id && parseApprovalId(id),
        'no approval id in the stream',
        'a tool-call delta id <run_id>::<tool_call_id>',
        id ?? chunks.slice(0, 3),
      );
      ensure(
        parseApprovalId(id)!.runId === chunks[0]!.id,
        "the approval id does not name the stream's run",
        `${chunks[0]!.id}::…`,
        id,
      );
      const finish = finishReasons(chunks);
      // How many finish chunks there are is chat.stream.one-finish-reason's to judge; here only which.
      ensure(
        finish.length > 0 && finish.every((r) => r === 'tool_calls'),
        'wrong finish_reason',
        'tool_calls',
        finish,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPauseAndRuns,
    id: 'approvals.pause.run-status',
    title: 'The paused run is recorded "awaiting_approval"',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const run = await record(ctx, p.runId);
      ensure(run.status === 'awaiting_approval', 'wrong run status', 'awaiting_approval', run.status);
      const listed = run.tool_calls.find((c) => c.id === p.call.id);
      ensure(
        listed && listed.status !== 'executed',
        'the run record does not list the paused call as waiting',
        `a tool_calls entry ${p.call.id}, not executed`,
        run.tool_calls,
      );
    },
  },
  {
    ...family,
    ...needs,
    after: [PAUSE_CHECK, ...STREAM_GROUND],
    id: 'approvals.approve.streams-continuation',
    title: 'Approving resumes the turn with a streamed continuation',
    requires: ['streaming'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const stream = await ctx.stream({ path: CHAT, json: decide(ctx, p, 'approve', { stream: true }) });
      const chunks = completeChunks(stream, 'the approval');
      ensure(
        streamedText(chunks).length > 0,
        'the continuation has no text',
        'text after approval',
        chunks.slice(0, 3),
      );
      const finish = finishReasons(chunks);
      ensure(
        finish.length > 0 && finish.every((r) => r === 'stop'),
        'the continuation did not finish',
        'finish_reason stop',
        finish,
      );
      const stop = chunks.map((c) => c.stop_reason).filter(Boolean);
      ensure(
        !stop.includes('approval_rejected'),
        'the approval was treated as a rejection',
        'no stop_reason approval_rejected',
        stop,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPauseAndRuns,
    id: 'approvals.approve.executed',
    title: 'After an approval the run record shows the tool executed',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const calls = await callsAfterDecision(ctx, p, await decided(ctx, p, 'approve'));
      ensure(
        calls.some((c) => c.id === p.call.id && c.status === 'executed'),
        'the approved tool was not executed',
        `tool call ${p.call.id} with status executed`,
        calls,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.reject.stop-reason',
    title: 'Rejecting ends the turn with stop_reason "approval_rejected"',
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const completion = ensureCompletion(await sendDecision(ctx, p, 'reject'), 'the rejection');
      ensure(
        completion.stop_reason === 'approval_rejected',
        'wrong stop_reason',
        'approval_rejected',
        completion.stop_reason ?? '(none)',
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPauseAndRuns,
    id: 'approvals.reject.nothing-executed',
    title: 'After a rejection the run record shows no tool executed',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const calls = await callsAfterDecision(ctx, p, await decided(ctx, p, 'reject'));
      const executed = calls.filter((c) => c.status === 'executed');
      ensure(
        executed.length === 0,
        'a rejected tool was executed',
        'no tool call with status executed',
        calls,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.unknown-id',
    title: 'An approval id the server never issued is 400 unknown_approval_id',
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      const forged = {
        ...p,
        call: { ...p.call, id: `run_${ctx.uid('forged').replace(/[^A-Za-z0-9]/g, '')}::tc_1` },
      };
      await ensureDecisionRefused(
        ctx,
        forged,
        'approve',
        ERROR_CODES.unknownApprovalId,
        'an unknown approval id',
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.other-user',
    title: "Another user cannot approve or reject a user's pause (refused with 4xx; the owner still can)",
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const owner = ownUser(ctx);
      const p = await pause(ctx, owner);
      const intruder = ownUser(ctx, 'intruder');
      for (const decision of ['approve', 'reject']) {
        const answer = await sendDecision(ctx, p, decision, intruder);
        // Which refusal is the code check's to judge; that it is one is this check's.
        ensure(
          answer.status >= 400 && answer.status < 500,
          `another user's "${decision}" was not refused`,
          'HTTP 4xx (400 unknown_approval_id)',
          `HTTP ${answer.status} ${answer.text.slice(0, 200)}`,
        );
      }
      // The pause is still the owner's to decide: the intruder's attempts consumed nothing.
      await decided(ctx, p, 'reject', owner);
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.other-user.code',
    title: "Another user's decision is 400 unknown_approval_id (the id reads as never issued)",
    level: 'SHOULD',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx, ownUser(ctx));
      await ensureDecisionRefused(
        ctx,
        p,
        'approve',
        ERROR_CODES.unknownApprovalId,
        "another user's approval",
        ownUser(ctx, 'intruder'),
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.other-user.no-effect',
    title: "Another user's approval of a user's pause runs nothing for that user",
    fixtures: ['destructivePrompt', 'effectPrompt', 'effectMarker'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const owner = ownUser(ctx);
      const p = await pause(ctx, owner);
      await ensureMarkerBefore(ctx, owner);
      await sendDecision(ctx, p, 'approve', ownUser(ctx, 'intruder'));
      const after = await markerShown(ctx, owner, 'the effect prompt, after the other user approved');
      ensure(
        after.shown,
        "another user's approval ran the destructive tool",
        `a reply still containing ${ctx.fixtures.effectMarker}`,
        after.reply,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.invalid-decision',
    title: 'A decision other than approve/reject is 400 invalid_approval_decision',
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      await ensureDecisionRefused(
        ctx,
        p,
        'maybe later',
        ERROR_CODES.invalidApprovalDecision,
        'the decision "maybe later"',
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.already-decided',
    title: 'Deciding the same approval twice is 400 approval_already_decided',
    level: 'SHOULD',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      ensureOk(await sendDecision(ctx, p, 'reject'), 'the first decision');
      await ensureDecisionRefused(ctx, p, 'reject', ERROR_CODES.approvalAlreadyDecided, 'a second decision');
    },
  },
  {
    ...family,
    ...needs,
    ...afterPauseAndRuns,
    id: 'approvals.reject.run-status',
    title: 'After a rejection the paused run is recorded "approval_rejected", not "completed"',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const p = await pause(ctx);
      await decided(ctx, p, 'reject');
      const run = await record(ctx, p.runId);
      ensure(
        run.status === 'approval_rejected',
        'wrong status of the rejected run',
        'approval_rejected',
        run.status,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.reject.no-effect',
    title: 'After a rejection the destructive tool had no effect (the effect prompt still shows the marker)',
    fixtures: ['destructivePrompt', 'effectPrompt', 'effectMarker'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const owner = ownUser(ctx);
      const p = await pause(ctx, owner);
      await ensureMarkerBefore(ctx, owner);
      await decided(ctx, p, 'reject', owner);
      const after = await markerShown(ctx, owner, 'the effect prompt, after the rejection');
      ensure(
        after.shown,
        'the rejected destructive tool ran',
        `a reply still containing ${ctx.fixtures.effectMarker}`,
        after.reply,
      );
    },
  },
  {
    ...family,
    ...needs,
    ...afterPause,
    id: 'approvals.approve.effect',
    title: 'After an approval the destructive tool had its effect (the marker is gone)',
    fixtures: ['destructivePrompt', 'effectPrompt', 'effectMarker'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const owner = ownUser(ctx);
      const p = await pause(ctx, owner);
      await ensureMarkerBefore(ctx, owner);
      await decided(ctx, p, 'approve', owner);
      const after = await markerShown(ctx, owner, 'the effect prompt, after the approval');
      ensure(
        !after.shown,
        'the approved destructive tool had no effect',
        `a reply without ${ctx.fixtures.effectMarker}`,
        after.reply,
      );
    },
  },
  {
    ...family,
    ...needs,
    after: [PAUSE_CHECK, RUNS_CHECK, 'approvals.reject.no-effect'],
    id: 'approvals.decided-twice.runs-nothing',
    title: 'A decision on an approval already decided runs nothing (reject then approve; approve twice)',
    requires: ['runs'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      // The effect is observed too where the fixtures name one and a user header keeps it this check's.
      const effect = Boolean(
        ctx.fixtures.effectPrompt && ctx.fixtures.effectMarker && ctx.dialect.memory.userHeader,
      );
      const owner = effect ? ownUser(ctx) : {};
      const p = await pause(ctx, owner);
      await decided(ctx, p, 'reject', owner);
      if (effect) {
        // A tool the rejection itself ran is approvals.reject.no-effect's failure, not this check's.
        const rejected = await markerShown(ctx, owner, 'the effect prompt, after the rejection');
        ensureGround(
          rejected.shown,
          'approvals.reject.no-effect',
          'the rejection already ran the destructive tool',
          `a reply still containing ${ctx.fixtures.effectMarker}`,
          rejected.reply,
        );
      }
      // Whatever the server answers the second decision (approval_already_decided is its own check),
      // the tool must not run now.
      await sendDecision(ctx, p, 'approve', owner);
      const calls = await toolCallsOf(ctx, p.runId, owner);
      const executed = calls.filter((c) => c.status === 'executed');
      ensure(
        executed.length === 0,
        'the second decision ran the tool',
        'no tool call executed on the paused run',
        calls,
      );
      if (effect) {
        const after = await markerShown(ctx, owner, 'the effect prompt, after the second decision');
        ensure(
          after.shown,
          'the second decision ran the destructive tool',
          `a reply still containing ${ctx.fixtures.effectMarker}`,
          after.reply,
        );
      }
      // Approved twice: a run answering the second approval must not have run the tool again.
      const q = await pause(ctx, owner);
      const first = await decided(ctx, q, 'approve', owner);
      const again = await sendDecision(ctx, q, 'approve', owner);
      const againId = again.status === 200 ? (again.json as { id?: unknown } | null)?.id : undefined;
      // A server that resumes in place answers under a run id already seen: nothing new to look at.
      if (typeof againId !== 'string' || againId === q.runId || againId === first) return;
      const rerun = await toolCallsOf(ctx, againId, owner);
      ensure(
        !rerun.some((c) => c.status === 'executed'),
        'the second approval ran the tool again',
        `no tool call executed in run ${againId}`,
        rerun,
      );
    },
  },
];
