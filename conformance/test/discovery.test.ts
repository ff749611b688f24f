import { type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../src/index';

/** The runner reads the reference server's discovery document; what the caller gives still wins. */
describe('discovery (GET /.well-known/threadline-conformance.json)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ port: 0 });
  });
  afterAll(() => server.close());

  const statuses = (report: Awaited<ReturnType<typeof runConformance>>) =>
    Object.fromEntries(report.results.map((r) => [r.id, r.status]));

  it('fills in the fixtures the options lack, and leaves out auth the server does not serve', async () => {
    const report = await runConformance({ baseUrl: server.url, filter: ['approvals', 'auth'] });
    expect(report.discovery).toBe(`${server.url}/.well-known/threadline-conformance.json`);
    expect(report.notServed).toEqual([
      { capability: 'auth', reason: 'the server runs without auth (its discovery document says so)' },
    ]);
    expect(report.results.filter((r) => r.status !== 'passed').map((r) => r.id)).toEqual([]);
    expect(statuses(report)['approvals.reject.no-effect']).toBe('passed');
    expect(report.results.some((r) => r.capability === 'auth')).toBe(false);
  });

  it('lets the options win: a wrong effect marker fails the effect checks', async () => {
    const report = await runConformance({
      baseUrl: server.url,
      filter: ['approvals.reject.no-effect', 'approvals.approve.effect'],
      fixtures: { effectMarker: 'no-such-draft' },
    });
    expect(statuses(report)).toEqual({
      'approvals.approve.effect': 'failed',
      'approvals.reject.no-effect': 'failed',
    });
    expect(report.results[0]!.message).toContain('does not show the marker while nothing ran');
  });

  it('keeps auth for a dialect that promises it, and is not read with discovery: false', async () => {
    const promised = await runConformance({
      baseUrl: server.url,
      dialect: 'openai',
      apiKey: 'sk-any',
      filter: ['auth.wrong-key'],
    });
    expect(promised.notServed).toEqual([]);
    // The server lets anyone in although the dialect promises auth: that is a failure, not "not served".
    expect(statuses(promised)).toEqual({ 'auth.wrong-key': 'failed', 'auth.wrong-key-code': 'warning' });

    const blind = await runConformance({
      baseUrl: server.url,
      discovery: false,
      filter: ['approvals.pause'],
    });
    expect(blind.discovery).toBeNull();
    expect(blind.results.map((r) => [r.id, r.status, r.message])).toContainEqual([
      'approvals.pause.json',
      'skipped',
      "fixture 'destructivePrompt' not configured (--config)",
    ]);
  });
});
