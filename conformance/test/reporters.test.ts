import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  type CheckResult,
  type CheckStatus,
  type ConformanceReport,
  renderJson,
  renderJunit,
  renderPretty,
  summarize,
} from '../src/index';

// One result of every status, so each reporter's treatment of each is pinned down.
const meta = (id: string) => {
  const { run: _run, ...rest } = CATALOGUE.find((c) => c.id === id)!;
  return rest;
};
const result = (id: string, status: CheckStatus, extra: Partial<CheckResult> = {}): CheckResult => ({
  ...meta(id),
  status,
  durationMs: 5,
  ...extra,
});
const failure = {
  message: 'two ids in one stream',
  expected: 'one id',
  got: '["a","b"]',
  curl: "curl -sS -N -X POST 'http://h/v1/chat/completions'",
};
const results = [
  result('chat.stream.same-id', 'failed', failure),
  result('chat.stream.role-first', 'stale', { message: 'remove it from the baseline' }),
  result('chat.stream.no-usage-unasked', 'warning', { ...failure, message: 'usage sent unasked' }),
  result('chat.stream.text', 'baselined', { message: 'no text' }),
  result('chat.stream.content-type', 'skipped', { message: "capability 'x' not declared" }),
  result('chat.stream.chunk-schema', 'skipped', { message: "capability 'x' not declared" }),
  result('chat.stream.done-terminator', 'passed'),
  result('chat.stream.one-finish-reason', 'blocked', {
    blockedBy: 'chat.stream.completes',
    message: 'blocked by chat.stream.completes: the stream broke off',
  }),
  result('chat.stream.usage-chunk', 'blocked', {
    blockedBy: 'chat.stream.completes',
    message: 'blocked by chat.stream.completes: the stream broke off',
  }),
];
const report: ConformanceReport = {
  baseUrl: 'http://h',
  dialect: 'openai',
  embedded: false,
  model: { id: 'm', source: 'option' },
  capabilities: ['chat', 'streaming'],
  results,
  summary: summarize(results, 1234),
  exitCode: 1,
};

const testcaseOf = (xml: string, id: string) =>
  new RegExp(`name="${id}" time="0\\.005">\\n\\s+(.*)\\n`).exec(xml)?.[1];

describe('reporters, one result of every status', () => {
  it('summary: stale counts as failed; warnings, blocked checks and baselined failures do not', () => {
    expect(report.summary).toEqual({
      passed: 1,
      failed: 2,
      skipped: 2,
      blocked: 2,
      warnings: 1,
      baselined: 1,
      stale: 1,
      total: 9,
      durationMs: 1234,
    });
  });

  it('pretty: failures with expected, got and repro; stale; warnings; skips by reason; the plain last line', () => {
    const text = renderPretty(report);
    const at = (heading: string) => text.indexOf(heading);
    expect(at('FAILURES')).toBeLessThan(at('STALE BASELINE ENTRIES'));
    expect(at('STALE BASELINE ENTRIES')).toBeLessThan(at('WARNINGS (SHOULD: not counted as failures)'));
    expect(text).toContain(
      [
        '✗ chat.stream.same-id [MUST · streaming · protocol.md#streaming]',
        '    Every chunk of a stream carries the same id',
        '    two ids in one stream',
        '    expected: one id',
        '    got:      ["a","b"]',
        "    repro:    curl -sS -N -X POST 'http://h/v1/chat/completions'",
      ].join('\n'),
    );
    expect(text).toContain('! chat.stream.no-usage-unasked [SHOULD');
    expect(text).toContain("SKIPPED\n- capability 'x' not declared: 2 checks\n");
    expect(text).not.toContain('chat.stream.text'); // baselined: counted in the note, not listed
    // Blocked checks are grouped under the failure that blocks them, after the skips.
    expect(text).toContain(
      'BLOCKED (could not be judged: the named check failed; fix that one first)\n- blocked by chat.stream.completes: chat.stream.one-finish-reason, chat.stream.usage-chunk\n',
    );
    expect(at('SKIPPED')).toBeLessThan(at('BLOCKED'));
    expect(
      text.endsWith(
        '2 blocked (by a failed prerequisite), 1 warning (SHOULD), 1 expected failure (baseline), 1 stale baseline entry (counted as failed); 1.2 s\n1 passed, 2 failed, 2 skipped\n',
      ),
    ).toBe(true);
  });

  it('junit: failure (MUST or StaleBaseline), skipped (with baselined and blocked), warning as passing output', () => {
    const xml = renderJunit(report);
    expect(xml).toContain(
      '<testsuites name="threadline-conformance" tests="9" failures="2" errors="0" skipped="5" time="1.234">',
    );
    expect(xml).toContain(
      '<testsuite name="conformance.wire" tests="9" failures="2" errors="0" skipped="5" time="0.045">',
    );
    expect(testcaseOf(xml, 'chat\\.stream\\.one-finish-reason')).toBe(
      '<skipped message="blocked by chat.stream.completes: the stream broke off"/>',
    );
    const testcase = (id: string) => new RegExp(`name="${id}" time="0\\.005">\\n\\s+(.*)\\n`).exec(xml)?.[1];
    expect(xml).toMatch(
      /name="chat\.stream\.same-id" time="0\.005">\n\s+<failure message="two ids in one stream" type="MUST">two ids in one stream\nexpected: one id\ngot: \[&quot;a&quot;,&quot;b&quot;\]\nrepro: curl .*\nsection: protocol\.md#streaming<\/failure>/,
    );
    expect(testcase('chat\\.stream\\.role-first')).toMatch(/^<failure message="[^"]+" type="StaleBaseline">/);
    expect(testcase('chat\\.stream\\.text')).toBe(
      '<skipped message="expected failure (baseline): no text"/>',
    );
    expect(testcase('chat\\.stream\\.content-type')).toBe(
      '<skipped message="capability &apos;x&apos; not declared"/>',
    );
    expect(testcase('chat\\.stream\\.no-usage-unasked')).toMatch(
      /^<system-out>WARNING \(SHOULD\) usage sent unasked$/,
    );
    expect(xml).toContain('name="chat.stream.done-terminator" time="0.005"/>');
  });

  it('json: the whole report, and every failing, warning or baselined id as the next baseline', () => {
    const json = JSON.parse(renderJson(report));
    expect(json.summary).toEqual(report.summary);
    expect(json.results).toHaveLength(9);
    expect(json.results.at(-1)).toMatchObject({ status: 'blocked', blockedBy: 'chat.stream.completes' });
    expect(json.baseline.expectedFailures).toEqual([
      'chat.stream.same-id',
      'chat.stream.no-usage-unasked',
      'chat.stream.text',
    ]);
  });
});
