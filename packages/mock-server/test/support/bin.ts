import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(script: string, args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [script, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/**
 * The tests of a package's command as its `bin` entry runs it: the shim the manifest names, copied
 * into a package folder of its own, first without dist/ (a checkout never built), then with the CLI
 * bundled from source as dist/cli.js, then with a dist/cli.js that needs a module that is not there.
 */
export function describeBin(packageDir: string, command: string, bundle: (out: string) => Promise<string>) {
  describe(`${command} through its bin entry`, () => {
    let manifest: { version: string; bin: Record<string, string>; files: string[] };
    let dir: string;
    let shim: string;
    beforeAll(async () => {
      manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
      dir = await mkdtemp(join(tmpdir(), `${command}-bin-`));
      const entry = manifest.bin[command]!;
      shim = join(dir, entry);
      await mkdir(join(dir, 'bin'), { recursive: true });
      await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      await copyFile(join(packageDir, entry), shim);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('names a shim the package ships, outside dist/', () => {
      const entry = manifest.bin[command]!;
      expect(entry).toBe(`./bin/${command}.js`);
      expect(manifest.files).toContain('bin');
    });

    it('before a build, says in one line to run the build first', async () => {
      await rm(join(dir, 'dist'), { recursive: true, force: true });
      const out = await node(shim, ['--version']);
      expect(out.code).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).toBe(
        `${command}: dist/cli.js is missing (not built yet): run \`npx -y pnpm@12 run build\` first, in the repository root\n`,
      );
    });

    it('once built, runs the CLI: --version prints the version of package.json', async () => {
      await mkdir(join(dir, 'dist'), { recursive: true });
      await bundle(join(dir, 'dist', 'cli.js'));
      const out = await node(shim, ['--version']);
      expect(out).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
      const help = await node(shim, ['--help']);
      expect(help.stdout).toContain('--version');
    }, 60_000);

    it('lets any other missing module through with its own error', async () => {
      await mkdir(join(dir, 'dist'), { recursive: true });
      await writeFile(join(dir, 'dist', 'cli.js'), "import './gone.js';\n");
      const out = await node(shim, []);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('ERR_MODULE_NOT_FOUND');
      expect(out.stderr).toContain(join(dir, 'dist', 'gone.js'));
      expect(out.stderr).not.toContain('run `npx -y pnpm@12 run build` first');
    });
  });
}
