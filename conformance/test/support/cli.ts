import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../../../packages/mock-server/test/support/cli';

const source = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Bundles the CLI from source into `dir`, so tests check this tree whether or not dist/ was built. */
export function bundleCli(dir: string): Promise<string> {
  return bundleForNode(source, join(dir, 'cli.mjs'));
}

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `output` is what it has written so far, `done` settles when it exits. */
export function launch(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    output.stdout += d;
  });
  child.stderr.on('data', (d) => {
    output.stderr += d;
  });
  const done = new Promise<Outcome>((resolve) => child.on('close', (code) => resolve({ code, ...output })));
  return { child, output, done };
}

export const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
export const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
