import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TABLE_END, TABLE_START } from '../src/catalogue-table';
import {
  CAPABILITIES,
  CATALOGUE,
  CHECKS,
  FAMILIES,
  PROFILES,
  renderCheckTable,
  SECTIONS,
} from '../src/index';
import { parseCliArgs } from '../src/internal/args';

const sections = new Set<string>(Object.values(SECTIONS));

describe('the catalogue', () => {
  it('holds at least 40 checks across all six families', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CATALOGUE.map((c) => c.family))).toEqual(new Set(FAMILIES));
  });

  it('gives every check a unique stable id, a level, a capability and a protocol.md section', () => {
    const ids = CATALOGUE.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of CATALOGUE) {
      expect(check.id).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      expect(['MUST', 'SHOULD']).toContain(check.level);
      expect(CAPABILITIES).toContain(check.capability);
      for (const extra of check.requires ?? []) expect(CAPABILITIES).toContain(extra);
      expect(sections.has(check.section), `${check.id}: ${check.section}`).toBe(true);
      expect(check.title.length).toBeGreaterThan(10);
    }
  });

  it('names only anchors that exist in docs/protocol.md', async () => {
    const protocol = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const anchors = new Set(
      [...protocol.matchAll(/^#{2,3} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const section of new Set(CATALOGUE.map((c) => c.section))) {
      expect(anchors.has(section.split('#')[1]!), section).toBe(true);
    }
  });

  it('is listed in docs/conformance.md exactly as the code defines it', async () => {
    const doc = await readFile(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
    // Cells compared trimmed: the formatter pads the columns. On failure: build, then
    // `node conformance/scripts/update-docs.mjs`.
    const rows = (text: string) =>
      text
        .slice(text.indexOf(TABLE_START), text.indexOf(TABLE_END))
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) =>
          line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim())
            .join('|'),
        );
    const expected = rows(renderCheckTable(CHECKS));
    expect(expected).toHaveLength(CHECKS.length);
    expect(rows(doc)).toEqual(expected);
  });

  it('dialect profiles: openai declares the Chat Completions surface only; threadline everything', () => {
    expect([...PROFILES.openai.capabilities].sort()).toEqual(
      ['auth', 'chat', 'errors', 'models', 'sampling', 'streaming', 'tools', 'tool-choice-validation'].sort(),
    );
    // CORS only where web pages call the server directly.
    expect(Object.values(PROFILES).filter((p) => p.capabilities.includes('cors'))).toEqual([
      PROFILES.threadline,
      PROFILES.ingram,
    ]);
    expect([...PROFILES.threadline.capabilities].sort()).toEqual(
      CAPABILITIES.filter((c) => c !== 'auth').sort(),
    );
    expect(PROFILES.ice.capabilities).toContain('memory-session');
    expect(PROFILES.ice.capabilities).not.toContain('memory-thread');
    expect(PROFILES.ingram.capabilities).toEqual(
      expect.arrayContaining(['memory-thread', 'approvals', 'auth']),
    );
    expect(PROFILES.spice.dialect.errorShape).toBe('flat');
  });

  it('docs/conformance.md shows a CI job that runs the published package, parses and keeps the JUnit report', async () => {
    const doc = await readFile(new URL('../../docs/conformance.md', import.meta.url), 'utf8');
    const job = doc.slice(doc.indexOf('## CI against staging'), doc.indexOf('## Proof it can fail'));
    // It runs in the reader's own repository: the published package through npx, nothing of this workspace.
    expect(job).not.toMatch(/pnpm|run build/);
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const [, name, command] = /npx -y (\S+)\n([\s\S]*?)\n\s+- name:/.exec(job) ?? [];
    expect(name, 'the job runs `npx -y @threadline/conformance` with its flags').toBe(manifest.name);
    // npx runs a package's only command, whatever its name.
    expect(Object.keys(manifest.bin)).toEqual(['threadline-conformance']);
    const args = parseCliArgs(command!.trim().split(/\s+/));
    expect(args.baseUrl).toMatch(/^https:\/\//);
    const junit = args.reporters.find((r) => r.name === 'junit');
    expect(junit?.file).toBeDefined();
    // The report is uploaded even when the suite fails, which is when it matters.
    const upload = job.slice(job.indexOf('if: always()'));
    expect(upload).toContain('uses: actions/upload-artifact@');
    expect(upload).toMatch(new RegExp(`path: ${junit!.file!.split('/')[0]}/?\\n`));
  });
});
