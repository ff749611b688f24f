import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const REPOSITORY = 'https://github.com/threadline-dev/threadline';

/** Every package this repository publishes, by folder. */
export const PUBLISHED = [
  { dir: 'packages/protocol', name: '@threadline/protocol' },
  { dir: 'packages/client', name: '@threadline/client' },
  { dir: 'packages/mock-server', name: '@threadline/mock-server' },
  { dir: 'conformance', name: '@threadline/conformance' },
  { dir: 'packages/ai-sdk', name: '@threadline/ai-sdk' },
] as const;

/** Node 24 (the one running the tests) first on PATH, so `#!/usr/bin/env node` bins run on it. */
export const NODE_ENV_PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;

/** pnpm as the test command was started with, else the README's `npx -y pnpm@12`. */
function pnpm(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && basename(execPath).startsWith('pnpm')) {
    return execPath.endsWith('js') ? [process.execPath, [execPath]] : [execPath, []];
  }
  return ['npx', ['-y', 'pnpm@12']];
}

export interface Ran {
  stdout: string;
  stderr: string;
}

/** Runs a command; a failure's error message carries its output, so a failed test shows why. */
export async function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(file, args, {
      cwd: options.cwd,
      env: { ...process.env, PATH: NODE_ENV_PATH, ...options.env },
      timeout: options.timeout ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} (in ${options.cwd}) failed:\n${stdout}\n${stderr}`);
  }
}

export const runPnpm = (args: string[], cwd: string, timeout?: number) => {
  const [file, prefix] = pnpm();
  return run(file, [...prefix, ...args], timeout === undefined ? { cwd } : { cwd, timeout });
};

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

/** True when some package has no dist, or sources newer than it (`pnpm test` builds just before). */
export function buildIsStale(): boolean {
  return PUBLISHED.some(({ dir }) => {
    try {
      return newest(join(ROOT, dir, 'src')) > newest(join(ROOT, dir, 'dist'));
    } catch {
      return true;
    }
  });
}
