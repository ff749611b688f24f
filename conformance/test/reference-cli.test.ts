import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli as buildMockCli, listening } from '../../packages/mock-server/test/support/cli';
import type { ConformanceReport } from '../src/index';
import { bundleCli, lastLine, launch } from './support/cli';

const MOCK_PACKAGE = fileURLToPath(new URL('../../packages/mock-server/', import.meta.url));

/**
 * What a user does first: start `threadline-mock` with no configuration, point the suite at it, and
 * expect it to pass. The suite reads the server's discovery document for the demo prompts, the upload
 * path, the bucket and the escaping link, so no check is skipped; auth, which the server does not
 * serve, is left out of the run and named as not served.
 */
describe('threadline-conformance against threadline-mock started with no flags', () => {
  let dir: string;
  let mockDir: string;
  let mockCli: string;
  let suiteCli: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'threadline-reference-cli-'));
    // Inside the package, as its dist/ would be, so the CLI finds the package's demo/ folder.
    mockDir = await mkdtemp(join(MOCK_PACKAGE, '.test-cli-'));
    [mockCli, suiteCli] = await Promise.all([buildMockCli(mockDir), bundleCli(join(dir, 'suite'))]);
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(mockDir, { recursive: true, force: true });
  });

  it('passes every check it runs, skipping none; auth is reported as not served', async () => {
    // The mock's temporary demo files go to a folder of this test's own, so their removal is visible.
    const temp = await mkdtemp(join(dir, 'tmp-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temp, TMP: temp, TEMP: temp };
    delete env.ICE_UPLOAD_DIR;
    const mock = launch(mockCli, ['--port', '0'], env);
    try {
      const url = await listening({
        child: mock.child,
        stdout: () => mock.output.stdout,
        stderr: () => mock.output.stderr,
        exit: mock.done.then((o) => o.code),
      });
      expect((await readdir(temp)).filter((name) => name.startsWith('threadline-mock-demo-'))).toHaveLength(
        1,
      );

      const pretty = await launch(suiteCli, ['--base-url', url, '--concurrency', '8']).done;
      expect(pretty.stderr).not.toContain('Error');
      expect(lastLine(pretty.stdout)).toMatch(/^\d+ passed, 0 failed, 0 skipped$/);
      expect(pretty.stdout).toContain('not served: auth');
      expect(pretty.code).toBe(0);

      const json = await launch(suiteCli, ['--base-url', url, '--concurrency', '8', '--reporter', 'json'])
        .done;
      const report = JSON.parse(json.stdout) as ConformanceReport;
      expect(report.summary).toMatchObject({ failed: 0, skipped: 0, blocked: 0 });
      expect(report.results.filter((r) => r.status !== 'passed').map((r) => r.id)).toEqual([]);
      expect(report.notServed?.map((n) => n.capability)).toEqual(['auth']);
      expect(report.results.some((r) => r.capability === 'auth')).toBe(false);
      expect(report.discovery).toBe(`${url}/.well-known/threadline-conformance.json`);
      // The checks that need the demo set did run: approvals with their effect, stream errors, ingest.
      const ran = new Set(report.results.map((r) => r.id));
      for (const id of [
        'approvals.reject.no-effect',
        'stream-errors.failing-turn.error-frame',
        'ingest.file-path',
        'ingest.uri',
        'ingest.link-escape-refused',
      ]) {
        expect(ran.has(id), id).toBe(true);
      }
    } finally {
      mock.child.kill('SIGINT');
      await mock.done;
    }
    // The server removed its temporary demo files on the way out.
    expect((await readdir(temp)).filter((name) => name.startsWith('threadline-mock-demo-'))).toEqual([]);
  }, 120_000);
});
