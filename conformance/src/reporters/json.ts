import type { ConformanceReport } from '../runner/types';

/**
 * The whole report as JSON. `baseline.expectedFailures` lists every failing check id, so the file can
 * serve as `--baseline` for the next run.
 */
export function renderJson(report: ConformanceReport): string {
  const expectedFailures = report.results
    .filter((r) => r.status === 'failed' || r.status === 'warning' || r.status === 'baselined')
    .map((r) => r.id);
  return `${JSON.stringify({ ...report, baseline: { expectedFailures } }, null, 2)}\n`;
}
