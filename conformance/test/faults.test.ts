import { FAULT_NAMES } from '@threadline/mock-server';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOGUE, type ConformanceReport, runConformance } from '../src/index';
import { MISCONFIGURED } from './support/misconfigured';

/**
 * Proof the suite can fail: the whole catalogue runs against the reference server once per fault mode,
 * and exactly the checks that fault breaks must fail. Without a fault, every check passes. Behaviour no
 * fault mode produces (memory leaking between users, a server without auth) is shown by running the
 * checks against misconfigured servers (support/misconfigured.ts).
 */

/** The checks a run failed: MUST failures and SHOULD warnings. Blocked checks are neither. */
const failing = (report: ConformanceReport): string[] =>
  report.results
    .filter((r) => r.status === 'failed' || r.status === 'warning')
    .map((r) => r.id)
    .sort();

/** The checks that judged: neither skipped nor blocked by a failed prerequisite. */
const judged = (report: ConformanceReport): string[] =>
  report.results.filter((r) => r.status !== 'skipped' && r.status !== 'blocked').map((r) => r.id);

/** Checks that stream nothing (ingest, the 32 MiB bodies): stall-after cannot touch them. */
const STREAMLESS = /^(ingest|limits)\./;

/** The two checks that send 32 MiB bodies: about four fifths of a run's time on their own. */
const BIG_BODIES = /^limits\.(exactly-32mib|over-32mb)$/;

/**
 * Faults that can reach a check which sends 32 MiB and reads the status and error body: statuses,
 * error shapes and the body limit itself. Every other fault spoils streams, ids, tools, memory or
 * auth, which those two checks never touch, so their runs leave the two out (the no-fault run and the
 * runs of these faults judge them).
 */
const REACHES_BIG_BODIES = /^(body-limit|error-shape|numeric-error-code|status|rate-limit|quota)/;

async function runWithFault(fault: string): Promise<ConformanceReport> {
  // Only the stall run needs a short timeout (its streams never end); the others keep the default so a
  // busy CI machine cannot turn a slow answer into a failure. Concurrency overlaps the stall waits.
  // The stall run leaves out the checks that stream nothing: on a busy machine their large bodies alone
  // can outlast the short limit, which would say nothing about the fault.
  if (fault.startsWith('stall-after')) {
    const filter = CATALOGUE.map((c) => c.id).filter((id) => !STREAMLESS.test(id));
    return runConformance({
      headers: { 'x-threadline-fault': fault },
      timeoutMs: 4000,
      concurrency: 8,
      filter,
    });
  }
  const filter = REACHES_BIG_BODIES.test(fault)
    ? undefined
    : CATALOGUE.map((c) => c.id).filter((id) => !BIG_BODIES.test(id));
  return runConformance({
    headers: { 'x-threadline-fault': fault },
    timeoutMs: 10_000,
    concurrency: 8,
    ...(filter ? { filter } : {}),
  });
}

/**
 * Which checks each fault fails — one entry per fault, each listing every check it fails and no other.
 * Checks that build on what the fault broke are blocked (`blocked by …`), not failed, so they are in no
 * list: one defect, one name. Streams of a check's own (a tool call, an approval) that break the same
 * way are blocked by the plain stream's check; those the fault cuts past the time limit fail.
 */
const EXPECTED: Record<string, string[]> = {
  'no-done': [
    'chat.stream.done-terminator',
    // The error frame must be followed by [DONE]: that is this check's own promise.
    'stream-errors.failing-turn.error-frame',
    'responses.stream.completes',
  ],
  'changing-ids': ['chat.stream.same-id'],
  'no-role': ['chat.stream.role-first'],
  'double-finish': ['chat.stream.one-finish-reason'],
  // usage-chunk-id and usage-totals are blocked by chat.stream.usage-chunk.
  'no-usage-chunk': ['chat.stream.usage-chunk'],
  // On /v1/responses the terminal event comes twice.
  'frames-after-done': ['chat.stream.nothing-after-done', 'responses.stream.one-terminal'],
  // progress.fraction-monotonic is blocked by progress.events-when-asked.
  'no-progress': ['progress.events-when-asked'],
  'progress-backwards': ['progress.fraction-monotonic'],
  'usage-chunk-id': ['chat.stream.usage-chunk-id'],
  'bad-usage': ['chat.json.usage-totals', 'chat.stream.usage-totals'],
  'bad-approval-id': ['approvals.pause.json', 'approvals.pause.stream', 'responses.approvals.pause'],
  'no-role-on-tool-stream': ['approvals.pause.stream-role', 'tools.stream.role-first'],
  'ignore-tool-choice': [
    'tools.choice.named',
    'tools.choice.named-without-tools',
    'tools.choice.none',
    'tools.choice.required',
    'tools.choice.unknown-name',
    'tools.choice.without-tools',
    'responses.tools.choice.named',
    'responses.tools.choice.none',
    'responses.tools.choice.required',
    'responses.tools.choice.unknown-name',
    'responses.tools.choice.without-tools',
  ],
  'ignore-required': ['tools.choice.required', 'responses.tools.choice.required'],
  'wrong-content-type': ['chat.stream.content-type', 'responses.stream.content-type'],
  'lenient-sampling': [
    'chat.sampling.frequency-penalty-range',
    'chat.sampling.max-completion-tokens-min',
    'chat.sampling.max-completion-tokens-negative',
    'chat.sampling.max-tokens-min',
    'chat.sampling.max-tokens-negative',
    'chat.sampling.n-only-one',
    'chat.sampling.presence-penalty-range',
    'chat.sampling.stop-count',
    'chat.sampling.temperature-range',
    'chat.sampling.temperature-type',
    'chat.sampling.top-logprobs-range',
    'chat.sampling.top-p-range',
    'responses.errors.param',
    'responses.websocket.error-message',
  ],
  'accept-unknown-role': ['chat.messages.unknown-role'],
  'no-developer-role': ['chat.messages.developer-role'],
  'models-any-id': ['models.unknown-id'],
  'no-cors': ['cors.expose-headers', 'cors.preflight'],
  // Every check reading a code or param from an error body is blocked by errors.shape.
  'error-shape=express': ['errors.shape'],
  'error-shape=fastapi': ['errors.shape'],
  'error-shape=string': ['errors.shape'],
  'numeric-error-code': ['errors.code-type'],
  'empty-success': [
    'approvals.pause.json',
    'approvals.pause.stream',
    // The reply is empty, so it repeats neither the code word nor what was ingested.
    'ingest.recall',
    'memory.session.recall',
    'memory.thread.recall',
    'chat.json.max-tokens-length',
    'chat.json.text-answer',
    'chat.stream.text',
    'stream-errors.failing-turn.error-frame',
    'stream-errors.failing-turn.json',
    'stream-errors.failing-turn.no-empty-success',
    'stream-errors.unknown-model.error-frame',
    'stream-errors.unknown-model.frame-code',
    'stream-errors.unknown-model.json',
    'stream-errors.unknown-model.no-empty-success',
    'tools.call.shape',
    'tools.choice.named',
    'tools.choice.required',
    'tools.round-trip',
    'tools.stream.deltas-assemble',
    'responses.approvals.pause',
    'responses.failing-turn.stream',
    'responses.json.text-answer',
    // turn 1 calls no tool, so the continuation has nothing to continue.
    'responses.previous-response.recall',
    'responses.tools.choice.named',
    'responses.tools.choice.required',
    'responses.tools.round-trip',
    'responses.tools.stream.arguments',
    'responses.unknown-model.json',
    'responses.unknown-model.stream',
    'responses.websocket.continuation',
    'responses.websocket.sequential-turns',
  ],
  'drop-after=1': [
    'chat.stream.completes',
    // File downloads break off too, before the body ends.
    'files.inline-file.round-trip',
    'files.inline-image.round-trip',
    'stream-errors.failing-turn.error-frame',
    'responses.stream.completes',
  ],
  'error-frame-after=1': ['chat.stream.completes', 'cancel.close-stream', 'responses.stream.completes'],
  'malformed-chunk-after=1': [
    'chat.stream.chunk-schema',
    'cancel.close-stream',
    'stream-errors.failing-turn.error-frame',
    'responses.stream.event-schema',
  ],
  'reject-as-completed': [
    'approvals.reject.run-status',
    'responses.approvals.pause-decided-on-chat',
    'responses.approvals.reject',
  ],
  // approvals.decided-twice.runs-nothing is blocked by approvals.reject.no-effect.
  'run-on-reject': ['approvals.reject.no-effect'],
  'rerun-decided': ['approvals.already-decided', 'approvals.decided-twice.runs-nothing'],
  'any-user-approves': [
    'approvals.other-user',
    'approvals.other-user.code',
    'approvals.other-user.no-effect',
  ],
  'shared-session-memory': ['memory.session.other-session'],
  'store-without-session': ['memory.session.nothing-stored-without-header'],
  // SHOULD checks only: warnings, so the run still exits 0.
  'ignore-idempotency-key': ['memory.session.idempotent-resend', 'memory.thread.idempotent-resend'],
  'ingest-without-session': ['ingest.without-session-refused'],
  'files-any-user': ['files.other-user'],
  'body-limit=32000000': ['limits.exactly-32mib'],
  'body-limit=40000000': ['limits.over-32mb'],
  'accept-any-key': ['auth.wrong-key', 'auth.wrong-key-code'],
  'pause-as-completed': ['approvals.pause.run-status'],
  // Another user's decision reads as an unknown id too, so it is passed over as well.
  'accept-unknown-approval': [
    'approvals.malformed-id',
    'approvals.other-user',
    'approvals.other-user.code',
    'approvals.unknown-id',
    'responses.approvals.unknown-id',
  ],
  'bad-file-object': ['files.object-shape'],
  // The Responses door's own protocol violations.
  // The socket carries the same events, numbered per turn: its numbering breaks too.
  'sequence-gap': ['responses.stream.sequence', 'responses.websocket.sequential-turns'],
  'item-done-without-added': ['responses.stream.item-order'],
  'lost-text-delta': ['responses.stream.text-assembles'],
  'duplicate-output-id': ['responses.output-ids-unique'],
  'changing-response-id': ['responses.stream.response-id-stable'],
  'hide-mcp-calls': ['responses.approvals.approve', 'responses.approvals.chat-pause-decided-here'],
  'ignore-unknown-previous': ['responses.previous-response.unknown-id', 'responses.websocket.error-message'],
  'bad-response-object': ['responses.json.schema'],
  // Streams and downloads that stall fail on the time limit before they can tell what broke.
  'stall-after=1': [
    'approvals.approve.streams-continuation',
    'approvals.pause.stream',
    'approvals.pause.stream-role',
    'chat.stream.completes',
    'files.inline-file.round-trip',
    'files.inline-image.round-trip',
    'stream-errors.failing-turn.error-frame',
    'tools.stream.deltas-assemble',
    'tools.stream.role-first',
    'responses.failing-turn.stream',
    'responses.stream.completes',
    'responses.tools.stream.arguments',
  ],
};

/**
 * Faults that answer every request with an error status break every check that judges, except those
 * that expect an error anyway or are answered before faults apply (routing: 404 and 405 come first).
 * The checks reading the plain stream, the plain turn or the pause are blocked by the check that saw it.
 */
const STATUS_FAULTS = ['status=500', 'rate-limit=0', 'quota', 'status=503; code=overloaded'];
const PASS_UNDER_STATUS_FAULTS = new Set([
  'cors.expose-headers',
  'cors.preflight',
  'errors.code-type',
  'errors.method-not-allowed',
  'errors.request-id',
  'errors.shape',
  'errors.unknown-route',
  'stream-errors.failing-turn.json',
  'stream-errors.failing-turn.no-empty-success',
  'stream-errors.unknown-model.no-empty-success',
  // An error status is what these expect (a failing turn may say so before its stream opens).
  'responses.unknown-model.json',
  'responses.unknown-model.stream',
]);

/** Faults that change nothing a check looks at: they shape retries and timing, not the protocol. */
const HARMLESS = ['latency=5', 'should-retry=false'];

/**
 * MUST checks no protocol-violation or stream fault breaks, and why: the status faults above fail them,
 * but the catalogue has no fault that corrupts only that behaviour. This list may only shrink.
 */
const ONLY_STATUS_FAULTS_BREAK: Record<string, string> = {
  'chat.json.schema': 'no fault corrupts the completion shape; empty-success keeps it valid',
  'chat.json.unknown-fields-ignored': 'no fault makes the server reject unknown fields',
  'errors.invalid-json': 'no fault makes the server accept bad JSON',
  'files.unknown-id': 'no fault makes a missing file exist',
  'health.shape': 'no fault corrupts the health body',
  'models.list-shape': 'no fault corrupts the model list',
  'models.retrieve': 'no fault corrupts a model (status faults block it by models.list-shape)',
  'progress.none-unasked':
    'no fault sends progress events unasked (status faults block it by chat.stream.content-type)',
  'runs.record': 'no fault corrupts run records',
  'runs.unknown-id': 'no fault makes a missing run exist',
};

/** MUST checks no fault at all can break, and why. */
const NEVER_BROKEN: Record<string, string> = {
  'errors.unknown-route': 'routing answers 404 before faults apply; no fault invents a route',
};

const reports = new Map<string, ConformanceReport>();
const started = performance.now();
afterAll(() => {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`conformance fault catalogue: ${reports.size} runs in ${seconds} s\n`);
});

describe('the suite against the reference server', () => {
  it('passes every check, skipping none, when there is no fault', async () => {
    const report = await runConformance({ concurrency: 8 });
    reports.set('', report);
    expect(failing(report)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.results.filter((r) => r.status === 'skipped').map((r) => `${r.id}: ${r.message}`)).toEqual(
      [],
    );
    expect(report.summary.passed).toBe(CATALOGUE.length);
    // The budget for the whole catalogue against the local reference server.
    expect(report.summary.durationMs).toBeLessThan(10_000);
  });

  it('runs every fault mode the reference server knows', () => {
    const specs = [...Object.keys(EXPECTED), ...STATUS_FAULTS, ...HARMLESS];
    const used = new Set(specs.flatMap((spec) => spec.split(';').map((item) => item.split('=')[0]!.trim())));
    expect(FAULT_NAMES.filter((name) => !used.has(name))).toEqual([]);
  });

  it.each(Object.entries(EXPECTED))('fault %s fails exactly its checks', async (fault, expected) => {
    const report = await runWithFault(fault);
    reports.set(fault, report);
    expect(failing(report)).toEqual([...expected].sort());
    // A run fails on MUST checks; SHOULD ones only warn.
    const must = expected.some((id) => CATALOGUE.find((c) => c.id === id)?.level === 'MUST');
    expect(report.exitCode).toBe(must ? 1 : 0);
  });

  it.each(STATUS_FAULTS)('status fault %s fails every check that needs a success', async (fault) => {
    const report = await runWithFault(fault);
    reports.set(fault, report);
    const expected = judged(report).filter((id) => !PASS_UNDER_STATUS_FAULTS.has(id));
    expect(failing(report)).toEqual(expected.sort());
  });

  it.each(HARMLESS)('fault %s breaks nothing', async (fault) => {
    const report = await runWithFault(fault);
    reports.set(fault, report);
    expect(failing(report)).toEqual([]);
  });

  it.each(Object.entries(MISCONFIGURED))('%s: exactly its checks fail', async (name, scenario) => {
    const server = await scenario.start();
    try {
      const report = await runConformance({ concurrency: 8, ...scenario.options, baseUrl: server.url });
      reports.set(name, report);
      expect(report.results.filter((r) => r.status === 'skipped').map((r) => r.id)).toEqual([]);
      expect(failing(report)).toEqual([...scenario.fails].sort());
    } finally {
      await server.close();
    }
  });

  it('every MUST check is failed by some fault or misconfigured server, or is listed with the reason', async () => {
    const byFault = new Set(Object.values(EXPECTED).flat());
    const byMisconfigured = new Set(Object.values(MISCONFIGURED).flatMap((m) => m.fails));
    // A status fault fails a check, or blocks it by the check that saw the error first.
    const status = reports.get('status=500') ?? (await runWithFault('status=500'));
    const byStatus = new Set([
      ...failing(status),
      ...status.results.filter((r) => r.status === 'blocked').map((r) => r.id),
    ]);
    const problems: string[] = [];
    for (const check of CATALOGUE.filter((c) => c.level === 'MUST')) {
      if (NEVER_BROKEN[check.id]) continue;
      const broken = byFault.has(check.id) || byMisconfigured.has(check.id);
      if (broken && ONLY_STATUS_FAULTS_BREAK[check.id]) {
        problems.push(`${check.id} is listed but a fault or misconfigured server breaks it`);
      } else if (!broken && !ONLY_STATUS_FAULTS_BREAK[check.id]) {
        problems.push(`${check.id}: nothing breaks it and no reason is listed`);
      } else if (!broken && !byStatus.has(check.id)) {
        problems.push(`${check.id} is not even broken by status=500`);
      }
    }
    expect(problems).toEqual([]);
  });
});
