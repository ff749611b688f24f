import { type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceReport, runConformance } from '../src/index';

/**
 * Approvals, memory and ingest checks can fail too: declared against a server that does not serve
 * them (an `openai`-dialect reference server honours no memory header and pauses for no approval), the
 * positive checks fail while the checks that only forbid leaks still pass.
 */
let plain: RunningServer;
let report: ConformanceReport;

beforeAll(async () => {
  plain = await start({
    port: 0,
    dialect: 'openai',
    fixtures: [
      { match: { userContains: 'conformance-destroy' }, reply: { text: 'Done, nothing to approve.' } },
    ],
  });
  report = await runConformance({
    baseUrl: plain.url,
    apiKey: 'sk-any',
    dialect: 'threadline',
    capabilities: {
      approvals: true,
      'memory-session': true,
      'memory-thread': true,
      ingest: true,
      runs: true,
    },
    fixtures: { destructivePrompt: 'conformance-destroy the archive', ingestPath: 'handbook.md' },
    filter: ['approvals', 'memory', 'ingest'],
    concurrency: 8,
  });
});
afterAll(() => plain.close());

const statusOf = (id: string) => report.results.find((r) => r.id === id)?.status;

describe('families 4 and 5 and ingest, declared against a server without them', () => {
  it('every approval check fails: the destructive prompt does not pause', () => {
    const approvals = report.results.filter((r) => r.family === 'approvals');
    expect(approvals.length).toBeGreaterThanOrEqual(8);
    for (const result of approvals) {
      expect(result.status, result.id).toBe(result.level === 'MUST' ? 'failed' : 'warning');
    }
    expect(report.results.find((r) => r.id === 'approvals.pause.json')?.message).toBe(
      'the destructive prompt did not pause for approval',
    );
  });

  it('recall fails while the isolation checks pass (nothing is stored, so nothing leaks)', () => {
    expect(statusOf('memory.session.recall')).toBe('failed');
    expect(statusOf('memory.thread.recall')).toBe('failed');
    expect(statusOf('memory.session.absent-without-header')).toBe('passed');
    expect(statusOf('memory.session.user-isolation')).toBe('passed');
    expect(statusOf('memory.session.other-session')).toBe('passed');
    expect(statusOf('memory.thread.absent-without-header')).toBe('passed');
  });

  it('every ingest check fails: the route is not served', () => {
    for (const id of [
      'ingest.file-path',
      'ingest.traversal-refused',
      'ingest.absolute-path-refused',
      'ingest.raw-body',
    ]) {
      expect(statusOf(id), id).toBe('failed');
    }
    expect(statusOf('ingest.recall')).toBe('warning');
  });
});
