import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './support/workspace';

// Two builds of one commit must give byte-identical output. @threadline/protocol is the package whose
// declarations used to change (a shared chunk's name and the order of inferred unions); each build goes
// to its own folder at dist's depth, so source map paths match, and dist itself is left alone for the
// tests that run the built CLIs meanwhile.

const pkg = join(ROOT, 'packages', 'protocol');
const outDirs = ['a', 'b'].map((n) => join(pkg, 'node_modules', '.cache', `rebuild-${n}`));

function hashes(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Object.fromEntries(
    files
      .map((e) => join(e.parentPath, e.name))
      .sort()
      .map((file) => [relative(dir, file), createHash('sha256').update(readFileSync(file)).digest('hex')]),
  );
}

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

describe('reproducible builds', () => {
  it('give byte-identical output for @threadline/protocol, declarations included', async () => {
    for (const dir of outDirs) {
      await run(join(ROOT, 'node_modules', '.bin', 'tsup'), ['--out-dir', dir, '--silent'], {
        cwd: pkg,
        timeout: 240_000,
      });
    }
    const [first, second] = outDirs.map(hashes);
    expect(Object.keys(first!)).toEqual(
      expect.arrayContaining(['index.d.ts', 'index.js', 'schemas/index.d.ts']),
    );
    expect(second).toEqual(first);
  }, 480_000);
});
