import type { CheckResult, ConformanceReport } from '../runner/types';

const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

function describe(result: CheckResult, label: string): string {
  const lines = [`${label} ${result.id} [${result.level} · ${result.capability} · ${result.section}]`];
  lines.push(indent(result.title));
  if (result.message) lines.push(indent(result.message));
  if (result.expected !== undefined) lines.push(indent(`expected: ${result.expected}`));
  if (result.got !== undefined) lines.push(indent(`got:      ${result.got}`));
  if (result.curl) lines.push(indent(`repro:    ${result.curl}`));
  return lines.join('\n');
}

/**
 * The human report: failures (expected vs got, and a curl repro), SHOULD warnings, stale baseline
 * entries, skips grouped by reason, blocked checks grouped by the failure blocking them, then exactly
 * `N passed, N failed, N skipped` as the last line.
 * Warnings and baselined failures are listed but not counted in `failed`.
 */
export function renderPretty(report: ConformanceReport): string {
  const out: string[] = [];
  const by = (status: CheckResult['status']) => report.results.filter((r) => r.status === status);
  const failed = by('failed');
  const stale = by('stale');
  const warnings = by('warning');
  out.push(
    `Threadline conformance against ${report.baseUrl}${report.embedded ? ' (embedded reference server)' : ''}, dialect ${report.dialect}`,
    `model ${describeModel(report.model)}`,
  );
  if (report.discovery) out.push(`fixtures from ${report.discovery}`);
  for (const { capability, reason } of report.notServed ?? []) {
    out.push(`not served: ${capability} (${reason}); its checks were not run`);
  }
  if (failed.length) out.push('', 'FAILURES', ...failed.map((r) => describe(r, '✗')));
  if (stale.length) out.push('', 'STALE BASELINE ENTRIES', ...stale.map((r) => describe(r, '✗')));
  if (warnings.length)
    out.push('', 'WARNINGS (SHOULD: not counted as failures)', ...warnings.map((r) => describe(r, '!')));
  const skips = new Map<string, string[]>();
  for (const result of by('skipped')) {
    const reason = result.message ?? 'skipped';
    skips.set(reason, [...(skips.get(reason) ?? []), result.id]);
  }
  if (skips.size) {
    out.push('', 'SKIPPED');
    for (const [reason, ids] of skips)
      out.push(`- ${reason}: ${ids.length} check${ids.length === 1 ? '' : 's'}`);
  }
  const blocked = new Map<string, string[]>();
  for (const result of by('blocked')) {
    const root = result.blockedBy ?? '?';
    blocked.set(root, [...(blocked.get(root) ?? []), result.id]);
  }
  if (blocked.size) {
    out.push('', 'BLOCKED (could not be judged: the named check failed; fix that one first)');
    for (const [root, ids] of blocked) out.push(`- blocked by ${root}: ${ids.join(', ')}`);
  }
  const s = report.summary;
  const notes: string[] = [];
  if (s.blocked) notes.push(`${s.blocked} blocked (by a failed prerequisite)`);
  if (s.warnings) notes.push(`${s.warnings} warning${s.warnings === 1 ? '' : 's'} (SHOULD)`);
  if (s.baselined) notes.push(`${s.baselined} expected failure${s.baselined === 1 ? '' : 's'} (baseline)`);
  if (s.stale) notes.push(`${s.stale} stale baseline entr${s.stale === 1 ? 'y' : 'ies'} (counted as failed)`);
  out.push('');
  if (notes.length) out.push(`${notes.join(', ')}; ${(s.durationMs / 1000).toFixed(1)} s`);
  else out.push(`${(s.durationMs / 1000).toFixed(1)} s`);
  out.push(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  return `${out.join('\n')}\n`;
}

/** The progress line: `\r`-updated on a terminal, one line at the start otherwise. */
export function createProgress(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let failures = 0;
  return {
    start(total: number, baseUrl: string) {
      if (!tty) stream.write(`running ${total} conformance checks against ${baseUrl}…\n`);
    },
    result(result: CheckResult, done: number, total: number) {
      if (result.status === 'failed' || result.status === 'stale') failures++;
      if (!tty) return;
      const line = `[${done}/${total}] ${failures ? `${failures} failed · ` : ''}${result.id}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 100) - 1)}`);
    },
    end() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

/** The model line: which one, and how to pick another when the suite chose it. */
function describeModel(model: ConformanceReport['model']): string {
  switch (model.source) {
    case 'option':
      return `${model.id} (--model)`;
    case 'config':
      return `${model.id} (config fixture "model")`;
    case 'models-list':
      return `${model.id} (the first of GET /v1/models; --model picks another)`;
    case 'server-default':
      return `"" (the server's default: GET /v1/models listed none; --model picks one)`;
  }
}
