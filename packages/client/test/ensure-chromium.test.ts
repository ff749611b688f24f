import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The test command's browser step, run with a PATH of our own making: no Chromium anywhere, no root
// (a stand-in `id`), and an `apt-get` that would leave a mark if the script ever called it. Nothing is
// installed or removed on this machine.

const exec = promisify(execFile);
const script = fileURLToPath(new URL('./support/ensure-chromium.sh', import.meta.url));
const bash = '/bin/bash';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder for PATH holding executables written here; `id` says who we are. */
function fakeBin(uid: number, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-chromium-'));
  dirs.push(dir);
  const programs = { id: `echo ${uid}`, ...extra };
  for (const [name, body] of Object.entries(programs)) {
    writeFileSync(join(dir, name), `#!${bash}\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}

async function ensure(env: Record<string, string>) {
  try {
    const { stdout, stderr } = await exec(bash, [script], { env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const INSTALL_LINE =
  'no Chromium at /nowhere/chromium for the browser test: install Chromium or Chrome (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium), then run CHROMIUM_PATH=/path/to/chromium npx -y pnpm@12 test\n';

describe('ensure-chromium.sh', () => {
  it('passes quietly when CHROMIUM_PATH names an executable', async () => {
    const out = await ensure({ PATH: fakeBin(1000), CHROMIUM_PATH: process.execPath });
    expect(out).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('without Chromium and without root: one line saying what to install and how to point at it', async () => {
    const bin = fakeBin(1000, { 'apt-get': 'touch "$(dirname "$0")/apt-get-ran"' });
    const out = await ensure({ PATH: bin, CHROMIUM_PATH: '/nowhere/chromium' });
    expect(out).toEqual({ code: 1, stdout: '', stderr: INSTALL_LINE });
    expect(existsSync(join(bin, 'apt-get-ran'))).toBe(false);
  });

  it('as root but without apt-get: the same line, nothing attempted', async () => {
    const out = await ensure({ PATH: fakeBin(0), CHROMIUM_PATH: '/nowhere/chromium' });
    expect(out).toEqual({ code: 1, stdout: '', stderr: INSTALL_LINE });
  });

  it('names a Chromium it finds on PATH, with the variable to set', async () => {
    const bin = fakeBin(1000);
    symlinkSync(process.execPath, join(bin, 'chromium-browser'));
    const out = await ensure({ PATH: bin, CHROMIUM_PATH: '/nowhere/chromium' });
    const found = join(bin, 'chromium-browser');
    expect(out).toEqual({
      code: 1,
      stdout: '',
      stderr: `no Chromium at /nowhere/chromium, but there is ${found}: run CHROMIUM_PATH=${found} npx -y pnpm@12 test\n`,
    });
  });

  it('the README gives the same instructions', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain('sudo apt-get install chromium');
    expect(readme).toContain('CHROMIUM_PATH=/path/to/chromium npx -y pnpm@12 test');
  });
});
