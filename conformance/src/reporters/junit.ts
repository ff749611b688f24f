import type { CheckResult, ConformanceReport } from '../runner/types';
import { FAMILIES } from '../runner/types';

const xml = (text: string): string =>
  text
    // Characters XML 1.0 cannot hold at all, then the five that need entities.
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function detail(result: CheckResult): string {
  const lines = [result.message ?? ''];
  if (result.expected !== undefined) lines.push(`expected: ${result.expected}`);
  if (result.got !== undefined) lines.push(`got: ${result.got}`);
  if (result.curl) lines.push(`repro: ${result.curl}`);
  lines.push(`section: ${result.section}`);
  return lines.join('\n');
}

function testcase(result: CheckResult): string {
  const open = `    <testcase classname="${xml(`conformance.${result.family}`)}" name="${xml(result.id)}" time="${(result.durationMs / 1000).toFixed(3)}">`;
  const message = xml(result.message ?? '');
  let inner = '';
  switch (result.status) {
    case 'failed':
    case 'stale':
      inner = `<failure message="${message}" type="${result.status === 'stale' ? 'StaleBaseline' : result.level}">${xml(detail(result))}</failure>`;
      break;
    case 'skipped':
      inner = `<skipped message="${message}"/>`;
      break;
    case 'blocked':
      // Not a failure of its own: the blocking check's failure is in the report already.
      inner = `<skipped message="${message}"/>`;
      break;
    case 'baselined':
      inner = `<skipped message="${xml(`expected failure (baseline): ${result.message ?? ''}`)}"/>`;
      break;
    case 'warning':
      // JUnit has no warning: the case passes and the warning travels in its output.
      inner = `<system-out>${xml(`WARNING (SHOULD) ${detail(result)}`)}</system-out>`;
      break;
    default:
      return `${open.slice(0, -1)}/>`;
  }
  return `${open}\n      ${inner}\n    </testcase>`;
}

/** A JUnit XML report: one testsuite per family, one testcase per check. */
export function renderJunit(report: ConformanceReport): string {
  const suites = FAMILIES.map((family) => {
    const results = report.results.filter((r) => r.family === family);
    if (!results.length) return '';
    const failures = results.filter((r) => r.status === 'failed' || r.status === 'stale').length;
    const skipped = results.filter(
      (r) => r.status === 'skipped' || r.status === 'blocked' || r.status === 'baselined',
    ).length;
    const time = results.reduce((t, r) => t + r.durationMs, 0) / 1000;
    return [
      `  <testsuite name="${xml(`conformance.${family}`)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`,
      ...results.map(testcase),
      '  </testsuite>',
    ].join('\n');
  }).filter(Boolean);
  const s = report.summary;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="threadline-conformance" tests="${s.total}" failures="${s.failed}" errors="0" skipped="${s.skipped + s.blocked + s.baselined}" time="${(s.durationMs / 1000).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
