import { type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Check,
  CheckBlocked,
  CheckFailure,
  type ConformanceOptions,
  runConformance,
} from '../src/index';

let server: RunningServer;
beforeAll(async () => {
  server = await start({ port: 0 });
});
afterAll(() => server.close());

/** A check that needs no server: it passes, fails, or finds its ground broken, after `ms`. */
function check(
  id: string,
  outcome: 'pass' | 'fail' | { blockedBy: string },
  extra: Partial<Check> = {},
  ms = 0,
): Check {
  return {
    id,
    title: `conformance test check ${id}`,
    family: 'wire',
    capability: 'chat',
    level: 'MUST',
    section: 'protocol.md#chat-completions',
    ...extra,
    async run() {
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (outcome === 'fail') throw new CheckFailure(`${id} broke`, 'x', 'y');
      if (outcome !== 'pass') {
        throw new CheckBlocked(outcome.blockedBy, `${id}: its ground is broken`, 'ground', 'none');
      }
    },
  };
}

const run = (checks: Check[], options: Partial<ConformanceOptions> = {}) =>
  runConformance({ baseUrl: server.url, checks, ...options });

const statuses = (report: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(report.results.map((r) => [r.id, r.blockedBy ? `blocked by ${r.blockedBy}` : r.status]));

describe('blocked by a failed prerequisite', () => {
  it('reports the dependent blocked, names the root of a chain, and leaves the exit code to the failure', async () => {
    const report = await run([
      check('t.c', { blockedBy: 't.b' }, { after: ['t.b'] }),
      check('t.b', { blockedBy: 't.a' }, { after: ['t.a'] }),
      // The prerequisite is slow and listed last: the dependents still wait for its verdict.
      check('t.a', 'fail', {}, 50),
      check('t.d', 'pass'),
    ]);
    expect(statuses(report)).toEqual({
      't.a': 'failed',
      't.b': 'blocked by t.a',
      't.c': 'blocked by t.a',
      't.d': 'passed',
    });
    const blocked = report.results.find((r) => r.id === 't.c')!;
    expect(blocked.message).toBe('blocked by t.a: t.c: its ground is broken');
    expect(report.summary).toMatchObject({ passed: 1, failed: 1, blocked: 2, total: 4 });
    expect(report.exitCode).toBe(1);
  });

  it('is a failure of the check itself when the prerequisite passed, was filtered out, or is the check', async () => {
    const report = await run(
      [
        check('t.ground', 'pass'),
        check('t.own', { blockedBy: 't.ground' }, { after: ['t.ground'] }),
        check('t.self', { blockedBy: 't.self' }),
        check('t.orphan', { blockedBy: 't.absent' }, { after: ['t.absent'] }),
        check('t.absent', 'fail'),
      ],
      { filter: ['t.ground', 't.own', 't.self', 't.orphan'] },
    );
    expect(statuses(report)).toEqual({
      't.ground': 'passed',
      't.own': 'failed',
      't.self': 'failed',
      't.orphan': 'failed',
    });
    expect(report.results.find((r) => r.id === 't.orphan')?.message).toBe('t.orphan: its ground is broken');
    expect(report.summary.blocked).toBe(0);
  });

  it('a SHOULD warning blocks too, and blocked checks alone do not fail the run', async () => {
    const report = await run([
      check('t.should', 'fail', { level: 'SHOULD' }),
      check('t.reader', { blockedBy: 't.should' }, { after: ['t.should'] }),
    ]);
    expect(statuses(report)).toEqual({ 't.should': 'warning', 't.reader': 'blocked by t.should' });
    expect(report.exitCode).toBe(0);
  });

  it('does not deadlock one worker on a dependent listed before its prerequisite', async () => {
    const report = await run(
      [check('t.x', { blockedBy: 't.y' }, { after: ['t.y'] }), check('t.y', 'fail', {}, 20)],
      { concurrency: 1 },
    );
    expect(statuses(report)).toEqual({ 't.x': 'blocked by t.y', 't.y': 'failed' });
  });

  it('waits for a prerequisite that has not started yet, without holding a slot it needs', async () => {
    // No `after`: one worker runs t.early first, and t.late only after it gave up its slot.
    const report = await run([check('t.early', { blockedBy: 't.late' }), check('t.late', 'fail', {}, 20)], {
      concurrency: 1,
    });
    expect(statuses(report)).toEqual({ 't.early': 'blocked by t.late', 't.late': 'failed' });
  });

  it('judges two checks naming each other on their own instead of hanging', async () => {
    const report = await run([check('t.a1', { blockedBy: 't.b1' }), check('t.b1', { blockedBy: 't.a1' })]);
    // One of them waits on the other; the other may not wait back, so it fails and the first is blocked.
    const failed = report.results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(report.results.find((r) => r.status === 'blocked')?.blockedBy).toBe(failed[0]!.id);
  });

  it('keeps a baseline entry of a blocked check: neither baselined nor stale', async () => {
    const report = await run([check('t.p', 'fail'), check('t.q', { blockedBy: 't.p' }, { after: ['t.p'] })], {
      baseline: ['t.p', 't.q'],
    });
    expect(statuses(report)).toEqual({ 't.p': 'baselined', 't.q': 'blocked by t.p' });
    expect(report.exitCode).toBe(0);
  });

  it('refuses checks waiting on each other in a cycle', async () => {
    await expect(
      run([check('t.m', 'pass', { after: ['t.n'] }), check('t.n', 'pass', { after: ['t.m'] })]),
    ).rejects.toThrow('checks wait on each other in a cycle through t.m');
  });
});
