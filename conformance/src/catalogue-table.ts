import type { CheckMeta } from './runner/types';

export const TABLE_START = '<!-- checks:start (generated: node conformance/scripts/update-docs.mjs) -->';
export const TABLE_END = '<!-- checks:end -->';

/**
 * The Markdown table docs/conformance.md lists the catalogue in, one row per check, by family. "Blocked
 * by" lists the checks (`after`) whose failure can leave this one unjudged.
 */
export function renderCheckTable(checks: readonly CheckMeta[]): string {
  const rows = checks.map((c) => {
    const capability = [c.capability, ...(c.requires ?? [])].join(' + ');
    const fixtures = c.fixtures?.length ? ` (fixture: ${c.fixtures.join(', ')})` : '';
    const [file, anchor] = c.section.split('#');
    const after = c.after?.length ? c.after.map((id) => `\`${id}\``).join(', ') : '—';
    return `| \`${c.id}\` | ${c.level} | ${c.family} | ${capability}${fixtures} | [${anchor}](${file}#${anchor}) | ${after} | ${c.title.replace(/\|/g, '\\|')} |`;
  });
  return [
    TABLE_START,
    '| Id | Level | Family | Capability | Section | Blocked by | Checks that |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    TABLE_END,
  ].join('\n');
}

/** Replaces the generated table in a document; throws when the markers are missing. */
export function replaceCheckTable(document: string, checks: readonly CheckMeta[]): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start === -1 || end === -1) throw new Error('the document has no generated check table markers');
  return document.slice(0, start) + renderCheckTable(checks) + document.slice(end + TABLE_END.length);
}
