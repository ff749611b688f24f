// Runs every benchmark in turn on the built packages (`pnpm bench` builds first): server.mjs,
// client.mjs, then ai-sdk.mjs. A figure printed with its target ("1.23x (target >= 1.50x)", "7.9 KB … (target <= 8.00 KB)")
// that misses it is marked ✗ here; server.mjs marks its own. Misses are listed at the end; they do not
// fail the command (a benchmark that crashes does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = /(\d+(?:\.\d+)?)\s*(x|KB)\b[^()]*\(target (>=|<=) (\d+(?:\.\d+)?)/;

/** The line, marked when it states a figure and a target that figure misses. */
function mark(line) {
  const m = TARGET.exec(line);
  if (!m) return { line, missed: line.includes('✗') };
  const [value, bound] = [Number(m[1]), Number(m[4])];
  const missed = m[3] === '>=' ? value < bound : value > bound;
  return { line: missed ? `${line}   ✗ misses its target` : line, missed };
}

const misses = [];
let failed = false;
for (const script of ['server.mjs', 'client.mjs', 'ai-sdk.mjs']) {
  if (!existsSync(`${here}${script}`)) continue;
  console.log(`\n# ${script}`);
  const child = spawn(process.execPath, [`${here}${script}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const raw of createInterface({ input: child.stdout })) {
    const { line, missed } = mark(raw);
    console.log(line);
    if (missed) misses.push(`${script}: ${raw.trim()}`);
  }
  const code = await new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', resolve);
  });
  if (code !== 0) failed = true;
}
console.log(
  misses.length
    ? `\n${misses.length} figure(s) miss their target:\n${misses.map((m) => `  ${m}`).join('\n')}`
    : '\nevery figure meets its target',
);
process.exit(failed ? 1 : 0);
