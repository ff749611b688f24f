import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConformanceReport, runConformance } from '../src/index';
import { NONCONFORMING_KEY, startNonconforming } from './support/nonconforming';

let server: Awaited<ReturnType<typeof startNonconforming>>;
let report: ConformanceReport;
beforeAll(async () => {
  server = await startNonconforming();
  report = await runConformance({
    baseUrl: server.url,
    dialect: 'openai',
    apiKey: NONCONFORMING_KEY,
    concurrency: 8,
  });
}, 60_000);
afterAll(() => server.close());

const withStatus = (...statuses: string[]) =>
  report.results
    .filter((r) => statuses.includes(r.status))
    .map((r) => r.id)
    .sort();

describe('a server breaking five promises, checked as an OpenAI-compatible one', () => {
  it('fails exactly the checks judging those promises: no fan-out, none missing', () => {
    expect(withStatus('failed', 'warning', 'stale')).toEqual(
      [
        // chunks lack `created`: the schema check only; every other stream check reads them leniently.
        'chat.stream.chunk-schema',
        // an unknown role is accepted
        'chat.messages.unknown-role',
        // flat bodies where nested is promised, numeric codes
        'errors.code-type',
        'errors.shape',
        // GET /v1/models/{id} is 200 for any id
        'models.unknown-id',
        // a named tool_choice is neither validated nor obeyed
        'tools.choice.named',
        'tools.choice.named-without-tools',
        'tools.choice.unknown-name',
      ].sort(),
    );
    expect(report.exitCode).toBe(1);
  });

  it('reports the checks that need a string code as blocked by errors.code-type, not failed', () => {
    const blocked = report.results.filter((r) => r.status === 'blocked');
    expect(blocked.map((r) => r.id).sort()).toEqual([
      'auth.missing-credentials-code',
      'auth.wrong-key-code',
      'errors.invalid-json-code',
      'stream-errors.unknown-model.json',
      'tools.choice.without-tools',
    ]);
    for (const result of blocked) {
      expect(result.blockedBy).toBe('errors.code-type');
      expect(result.message).toMatch(/^blocked by errors\.code-type: .+: the code is a number$/);
    }
    expect(report.summary.blocked).toBe(blocked.length);
  });

  it('passes everything else the openai profile declares, params of flat bodies included', () => {
    const passed = new Set(withStatus('passed'));
    for (const id of [
      'chat.stream.same-id',
      'chat.stream.role-first',
      'chat.stream.text',
      'chat.json.schema',
    ]) {
      expect(passed.has(id), id).toBe(true);
    }
    expect([...passed].filter((id) => id.startsWith('chat.sampling.'))).toHaveLength(12);
    expect(report.summary.total).toBe(
      report.summary.passed +
        report.summary.failed +
        report.summary.warnings +
        report.summary.skipped +
        report.summary.blocked,
    );
  });
});
