import { parseApprovalId } from '@threadline/protocol';
import type { ChatCompletion } from '@threadline/protocol/schemas';
import { CheckSkipped, ensure, ensureErrorAnswer, ensureGround } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { CHAT, ensureCompletion, isJson } from './support';

/** What the approval checks share: the pause, decisions on it, run records and the effect marker. */
export const family = { family: 'approvals' } as const;
export const needs = { capability: 'approvals', fixtures: ['destructivePrompt'] } as const;

export interface Pause {
  completion: ChatCompletion;
  call: { id: string; type: 'function'; function: { name: string; arguments: string } };
  runId: string;
}

/** The check that judges the pause itself: every other approval check builds on a pause. */
export const PAUSE_CHECK = 'approvals.pause.json';
export const afterPause = { after: [PAUSE_CHECK] } as const;

/**
 * Sends the destructive prompt and returns the approval pause it must produce. `by` (every check but
 * the pause check itself): a missing or malformed pause blocks the check instead of failing it.
 */
export async function pause(
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
export function ownUser(ctx: CheckContext, role = 'owner'): Record<string, string> {
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
export async function markerShown(ctx: CheckContext, headers: Record<string, string>, what: string) {
  const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(ctx.fixtures.effectPrompt!), headers });
  const reply = ensureCompletion(answer, what).choices[0]!.message.content ?? '';
  return { shown: reply.includes(ctx.fixtures.effectMarker!), reply };
}

/**
 * The marker shows while the pause waits (nothing ran yet): else the effect fixtures prove nothing on
 * this server. Read after the pause, so a server that cannot pause is blocked by the pause check first.
 */
export async function ensureMarkerBefore(ctx: CheckContext, headers: Record<string, string>): Promise<void> {
  const before = await markerShown(ctx, headers, 'the effect prompt, while the pause waits');
  ensure(
    before.shown,
    'the effect prompt does not show the marker while nothing ran (check the effectPrompt/effectMarker fixtures)',
    `a reply containing ${ctx.fixtures.effectMarker}`,
    before.reply,
  );
}

/** The conversation that answers a pause with a decision. */
export const decide = (ctx: CheckContext, p: Pause, decision: string, extra: Record<string, unknown> = {}) =>
  ctx.chatBody(
    [
      { role: 'user', content: ctx.fixtures.destructivePrompt! },
      { role: 'assistant', content: null, tool_calls: [p.call] },
      { role: 'tool', tool_call_id: p.call.id, content: decision },
    ],
    extra,
  );

/** Sends a decision on a pause, as JSON. */
export const sendDecision = (
  ctx: CheckContext,
  p: Pause,
  decision: string,
  headers: Record<string, string> = {},
) => ctx.send({ path: CHAT, json: decide(ctx, p, decision), headers });

/** A decision the server accepts; returns the id of the run that answered it. */
export async function decided(
  ctx: CheckContext,
  p: Pause,
  decision: 'approve' | 'reject',
  headers: Record<string, string> = {},
): Promise<string> {
  const what = decision === 'approve' ? 'the approval' : 'the rejection';
  return ensureCompletion(await sendDecision(ctx, p, decision, headers), what).id;
}

/** A decision the server must refuse: 400 with `code`. */
export async function ensureDecisionRefused(
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
export const RUNS_CHECK = 'runs.record';
export const afterPauseAndRuns = { after: [PAUSE_CHECK, RUNS_CHECK] } as const;

/** A run record read as the user `headers` name (runs are their owner's), leniently. */
export async function record(ctx: CheckContext, id: string, headers: Record<string, string> = {}) {
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
export const toolCallsOf = async (ctx: CheckContext, id: string, headers: Record<string, string>) =>
  (await record(ctx, id, headers)).tool_calls;

/**
 * How the run records see the paused call after a decision: the paused run and the run that answered
 * the decision (the same run on servers that resume in place). Fails when neither lists the call — a
 * record that never lists tool calls would otherwise prove nothing about what ran.
 */
export async function callsAfterDecision(ctx: CheckContext, p: Pause, resumedId: string) {
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

/**
 * Pauses for a user of its own, checks the marker shows while the pause waits, decides, and reads the
 * effect prompt again: what the effect checks judge.
 */
export async function markerAfterDecision(ctx: CheckContext, decision: 'approve' | 'reject', what: string) {
  const owner = ownUser(ctx);
  const p = await pause(ctx, owner);
  await ensureMarkerBefore(ctx, owner);
  await decided(ctx, p, decision, owner);
  return markerShown(ctx, owner, what);
}
