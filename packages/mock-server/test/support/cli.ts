import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect } from 'vitest';

const source = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/**
 * Bundles the CLI from source into `dir` and returns the script's path: the tests check this tree
 * whether or not dist/ was built.
 */
export function buildCli(dir: string): Promise<string> {
  return bundleForNode(source, join(dir, 'cli.mjs'));
}

/**
 * Bundles a TypeScript entry of this workspace (workspace packages from their sources) into one ESM
 * file Node runs as is; shared with the conformance CLI tests.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    conditions: ['@threadline/source'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return outfile;
}

/** A CLI process with what it printed so far. */
export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

export function runCli(cli: string, args: string[]): CliRun {
  return runProcess(process.execPath, [cli, ...args]);
}

/** Any program (e.g. another runtime's binary) with what it printed so far. */
export function runProcess(bin: string, args: string[]): CliRun {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Waits for the one "listening on URL" line and returns the URL. */
export async function listening(server: CliRun): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (!server.stdout().includes('\n')) {
    if (Date.now() > deadline) throw new Error(`no listening line; stderr: ${server.stderr()}`);
    if (server.child.exitCode !== null) throw new Error(`exited early: ${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(server.stdout());
  expect(match, `stdout was ${JSON.stringify(server.stdout())}`).not.toBeNull();
  return match![1]!;
}
