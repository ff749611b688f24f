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

const failing = (report: ConformanceReport): string[] =>
  report.results
    .filter((r) => r.status === 'failed' || r.status === 'warning')
    .map((r) => r.id)
    .sort();

const ran = (report: ConformanceReport): string[] =>
  report.results.filter((r) => r.status !== 'skipped').map((r) => r.id);

async function runWithFault(fault: string): Promise<ConformanceReport> {
  // Only the stall run needs a short timeout (its streams never end); the others keep the default so a
  // busy CI machine cannot turn a slow answer into a failure. Concurrency overlaps the stall waits.
  const timeoutMs = fault.startsWith('stall-after') ? 1000 : 10_000;
  return runConformance({ headers: { 'x-threadline-fault': fault }, timeoutMs, concurrency: 8 });
}

/** Stream checks that look at the chunks of a plain stream: any stream fault that cuts or corrupts it. */
const STREAM_SHAPE = [
  'chat.stream.chunk-schema',
  'chat.stream.one-finish-reason',
  'chat.stream.role-first',
  'chat.stream.same-id',
  'chat.stream.text',
  'chat.stream.usage-chunk',
  'chat.stream.usage-totals',
];

const PROGRESS = ['progress.events-when-asked', 'progress.fraction-monotonic'];

/** Every approval check starts from a pause: a fault that spoils the pause fails them all. */
const PAUSE = CATALOGUE.filter((c) => c.family === 'approvals').map((c) => c.id);

/** The streamed approval checks: any fault that cuts or corrupts a stream. */
const APPROVAL_STREAMS = ['approvals.approve.streams-continuation', 'approvals.pause.stream'];

/**
 * A stream that breaks off (dropped, or stalled past the timeout) fails every check reading it whole —
 * file downloads included: the fault breaks them too, before the body ends.
 */
const BROKEN_OFF = [
  ...STREAM_SHAPE,
  'files.inline-file.round-trip',
  'files.inline-image.round-trip',
  ...PROGRESS,
  ...APPROVAL_STREAMS,
  'chat.stream.done-terminator',
  'chat.stream.no-usage-unasked',
  'chat.stream.nothing-after-done',
  'stream-errors.failing-turn.error-frame',
  'tools.stream.deltas-assemble',
];

/** Which checks each fault breaks; every fault of the catalogue that can break a check is here. */
const EXPECTED: Record<string, string[]> = {
  'no-done': [
    ...APPROVAL_STREAMS,
    'chat.stream.done-terminator',
    'chat.stream.nothing-after-done',
    'progress.events-when-asked',
    'stream-errors.failing-turn.error-frame',
    'tools.stream.deltas-assemble',
  ],
  'changing-ids': ['chat.stream.same-id'],
  'bad-usage': ['chat.json.usage-totals', 'chat.stream.usage-totals'],
  'bad-approval-id': [...PAUSE],
  'ignore-tool-choice': [
    'tools.choice.named',
    'tools.choice.none',
    'tools.choice.unknown-name',
    'tools.choice.without-tools',
  ],
  'wrong-content-type': ['chat.stream.content-type'],
  'empty-success': [
    ...PAUSE,
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
  ],
  'drop-after=1': BROKEN_OFF,
  'error-frame-after=1': [
    ...STREAM_SHAPE,
    ...PROGRESS,
    ...APPROVAL_STREAMS,
    'cancel.close-stream',
    'chat.stream.no-usage-unasked',
    'tools.stream.deltas-assemble',
  ],
  'malformed-chunk-after=1': [
    ...STREAM_SHAPE,
    ...PROGRESS,
    ...APPROVAL_STREAMS,
    'cancel.close-stream',
    'chat.stream.no-usage-unasked',
    'stream-errors.failing-turn.error-frame',
    'tools.stream.deltas-assemble',
  ],
  'stall-after=1': BROKEN_OFF,
};

/**
 * Faults that answer every request with an error status break every check except those that expect an
 * error anyway or are answered before faults apply (routing: 404 and 405 come first).
 */
const STATUS_FAULTS = ['status=500', 'rate-limit=0', 'quota', 'status=503; code=overloaded'];
const PASS_UNDER_STATUS_FAULTS = new Set([
  'errors.unknown-route',
  'errors.method-not-allowed',
  'errors.request-id',
  'stream-errors.failing-turn.json',
  'stream-errors.failing-turn.no-empty-success',
  'stream-errors.unknown-model.no-empty-success',
]);

/** Faults that change nothing a check looks at: they shape retries and timing, not the protocol. */
const HARMLESS = ['latency=5', 'should-retry=false'];

/**
 * MUST checks no protocol-violation or stream fault breaks, and why: the status faults above fail them,
 * but the catalogue has no fault that corrupts only that behaviour.
 */
const ONLY_STATUS_FAULTS_BREAK: Record<string, string> = {
  'chat.json.schema': 'no fault corrupts the completion shape; empty-success keeps it valid',
  'chat.json.unknown-fields-ignored': 'no fault makes the server reject unknown fields',
  'chat.sampling.frequency-penalty-range': 'no fault disables sampling validation',
  'chat.sampling.max-tokens-min': 'no fault disables sampling validation',
  'chat.sampling.n-only-one': 'no fault disables sampling validation',
  'chat.sampling.presence-penalty-range': 'no fault disables sampling validation',
  'chat.sampling.stop-count': 'no fault disables sampling validation',
  'chat.sampling.temperature-range': 'no fault disables sampling validation',
  'chat.sampling.temperature-type': 'no fault disables sampling validation',
  'chat.sampling.top-logprobs-range': 'no fault disables sampling validation',
  'chat.sampling.top-p-range': 'no fault disables sampling validation',
  'errors.invalid-json': 'no fault makes the server accept bad JSON',
  'files.unknown-id': 'no fault makes a missing file exist',
  'health.shape': 'no fault corrupts the health body',
  'limits.over-32mb': 'no fault lifts the size limit',
  'models.list-shape': 'no fault corrupts the model list',
  'models.retrieve': 'no fault corrupts a model',
  'progress.none-unasked': 'no fault sends progress events unasked',
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
    expect(report.exitCode).toBe(1);
  });

  it.each(STATUS_FAULTS)('status fault %s fails every check that needs a success', async (fault) => {
    const report = await runWithFault(fault);
    reports.set(fault, report);
    const expected = ran(report).filter((id) => !PASS_UNDER_STATUS_FAULTS.has(id));
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

  it('every MUST check is failed by some fault or misconfigured server, or is listed with the reason', () => {
    const byFault = new Set(Object.values(EXPECTED).flat());
    const byMisconfigured = new Set(Object.values(MISCONFIGURED).flatMap((m) => m.fails));
    const byStatus = new Set(failing(reports.get('status=500')!));
    for (const check of CATALOGUE.filter((c) => c.level === 'MUST')) {
      if (NEVER_BROKEN[check.id]) continue;
      if (byFault.has(check.id) || byMisconfigured.has(check.id)) {
        expect(
          ONLY_STATUS_FAULTS_BREAK[check.id],
          `${check.id} is listed but a fault or misconfigured server breaks it`,
        ).toBeUndefined();
        continue;
      }
      expect(
        ONLY_STATUS_FAULTS_BREAK[check.id],
        `${check.id}: nothing breaks it and no reason is listed`,
      ).toBeTruthy();
      expect(byStatus.has(check.id), `${check.id} is not even broken by status=500`).toBe(true);
    }
  });
});
