// Runs every benchmark in turn on the built packages (`pnpm bench` builds first). Each prints its ratios last.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let failed = false;
for (const script of ['server.mjs', 'client.mjs']) {
  if (!existsSync(`${here}${script}`)) continue;
  console.log(`\n# ${script}`);
  const result = spawnSync(process.execPath, [`${here}${script}`], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
