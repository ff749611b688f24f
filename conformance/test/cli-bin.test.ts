import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBin } from '../../packages/mock-server/test/support/bin';
import { bundleForNode } from '../../packages/mock-server/test/support/cli';

const exec = promisify(execFile);
const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const shimSource = fileURLToPath(new URL('../bin/threadline-conformance.js', import.meta.url));

describeBin(fileURLToPath(new URL('..', import.meta.url)), 'threadline-conformance', (out) =>
  bundleForNode(source, out),
);

/** The shim run with the CLI built but not the reference server it embeds, as in a checkout. */
describe('threadline-conformance through its bin entry, before the reference server is built', () => {
  let dir: string;
  let shim: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'threadline-conformance-server-'));
    const app = join(dir, 'conformance');
    shim = join(app, 'bin', 'threadline-conformance.js');
    await mkdir(join(app, 'bin'), { recursive: true });
    await mkdir(join(app, 'dist'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ type: 'module' }));
    await copyFile(shimSource, shim);
    // The workspace link: node_modules/@threadline/mock-server is the package folder, without dist/.
    const server = join(dir, 'mock-server');
    await mkdir(server, { recursive: true });
    await writeFile(
      join(server, 'package.json'),
      JSON.stringify({
        name: '@threadline/mock-server',
        type: 'module',
        exports: { '.': { default: './dist/index.js' }, './package.json': './package.json' },
      }),
    );
    await mkdir(join(app, 'node_modules', '@threadline'), { recursive: true });
    await symlink(server, join(app, 'node_modules', '@threadline', 'mock-server'), 'dir');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function run(cli: string) {
    await writeFile(join(dir, 'conformance', 'dist', 'cli.js'), cli);
    try {
      const { stdout, stderr } = await exec(process.execPath, [shim, '--version'], { timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('says in one line to run the build first', async () => {
    const out = await run("import { start } from '@threadline/mock-server';\nconsole.log(typeof start);\n");
    expect(out).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "threadline-conformance: @threadline/mock-server's dist/index.js is missing (not built yet): run `npx -y pnpm@12 run build` first, in the repository root\n",
    });
  });

  it('lets a missing module of the built server through with its own error', async () => {
    await mkdir(join(dir, 'mock-server', 'dist'), { recursive: true });
    await writeFile(join(dir, 'mock-server', 'dist', 'index.js'), "import './gone.js';\n");
    const out = await run("import '@threadline/mock-server';\n");
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('ERR_MODULE_NOT_FOUND');
    expect(out.stderr).toContain(join(dir, 'mock-server', 'dist', 'gone.js'));
    expect(out.stderr).not.toContain('run `npx -y pnpm@12 run build` first');
  });
});
