import { ERROR_CODES, parseApprovalId } from '@threadline/protocol';
import { ensure, ensureOk } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import { APPROVAL_EFFECT_CHECKS, APPROVAL_OTHER_USER_CHECKS } from './approvals-effects';
import {
  afterPause,
  afterPauseAndRuns,
  callsAfterDecision,
  decide,
  decided,
  ensureDecisionRefused,
  family,
  needs,
  PAUSE_CHECK,
  pause,
  record,
  sendDecision,
} from './approvals-support';
import {
  CHAT,
  completeChunks,
  ensureCompletion,
  finishReasons,
  STREAM_GROUND,
  streamedText,
} from './support';

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
    id: 'approvals.malformed-id',
    title: 'A tool_call_id with :: that is not <run_id>::<tool_call_id> is 400 unknown_approval_id',
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      // The placeholder a reader copies from the docs: a decision, not a client tool's result.
      const p = await pause(ctx);
      const pasted = { ...p, call: { ...p.call, id: 'RUN::CALL' } };
      await ensureDecisionRefused(
        ctx,
        pasted,
        'approve',
        ERROR_CODES.unknownApprovalId,
        'the approval id RUN::CALL',
      );
    },
  },
  ...APPROVAL_OTHER_USER_CHECKS,
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
  ...APPROVAL_EFFECT_CHECKS,
];
