import { ERROR_CODES } from '@threadline/protocol';
import { ensure, ensureGround } from '../internal/expect';
import { type Check, SECTIONS } from '../runner/types';
import {
  afterPause,
  decided,
  ensureDecisionRefused,
  ensureMarkerBefore,
  family,
  markerAfterDecision,
  markerShown,
  needs,
  ownUser,
  PAUSE_CHECK,
  pause,
  RUNS_CHECK,
  sendDecision,
  toolCallsOf,
} from './approvals-support';

/** Approval checks across users: another user's decision is refused and runs nothing for the owner. */
export const APPROVAL_OTHER_USER_CHECKS: Check[] = [
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
];

/** Approval checks on what the destructive tool did: its effect after approve, reject, and a second decision. */
export const APPROVAL_EFFECT_CHECKS: Check[] = [
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
      const after = await markerAfterDecision(ctx, 'reject', 'the effect prompt, after the rejection');
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
      const after = await markerAfterDecision(ctx, 'approve', 'the effect prompt, after the approval');
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
