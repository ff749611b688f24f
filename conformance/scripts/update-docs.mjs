// Regenerates the check table of docs/conformance.md from the built catalogue (run after the build).
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CHECKS, replaceCheckTable } from '../dist/index.js';

const path = new URL('../../docs/conformance.md', import.meta.url);
const before = await readFile(path, 'utf8');
const after = replaceCheckTable(before, CHECKS);
if (after !== before) {
  await writeFile(path, after);
  // The repository's formatter pads table columns; run it so `biome check` stays clean.
  execFileSync('npx', ['-y', 'pnpm@12', 'exec', 'biome', 'format', '--write', fileURLToPath(path)], {
    stdio: 'ignore',
  });
}
process.stdout.write(
  after === before ? 'docs/conformance.md is up to date\n' : 'docs/conformance.md updated\n',
);
