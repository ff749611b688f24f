import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installApp, packAll, type Tarball } from './support/app';
import { CJS_CONSUMER, CONSUMER, writeTsconfigs } from './support/consumer';
import { claims, pointAt, selfContained, standalone, tsBlocks } from './support/readme';
import {
  buildIsStale,
  NODE_ENV_PATH,
  PUBLISHED,
  type Ran,
  REPOSITORY,
  ROOT,
  run,
  runPnpm,
} from './support/workspace';

// The packages as a user gets them before (and after) the first publish: packed by pnpm the way
// `changeset publish` packs them, installed by npm into a new app outside the workspace, then
// type-checked, required, linted (publint, attw) and driven by their own READMEs against the tarball's
// own `threadline-mock`.

const INSTALLED = [...PUBLISHED.map((p) => p.name), 'ai'];
const bin = (app: string, name: string) => join(app, 'node_modules', '.bin', name);
const tsc = (app: string, project: string) =>
  run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    cwd: app,
  });

/** The tarball's own reference server, on a free port, as a reader starts it from the README. */
async function startMock(app: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(bin(app, 'threadline-mock'), ['--port', '0'], {
    cwd: app,
    env: { ...process.env, PATH: NODE_ENV_PATH },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (data: Buffer) => {
      out += data;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`threadline-mock exited ${code} before listening: ${out}`)),
    );
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

let dir: string;
let app: string;
let tarballs: Tarball[];
let snippets: { pkg: string; file: string; code: string }[];
let publint: Promise<PromiseSettledResult<Ran>[]>;
let attw: Promise<PromiseSettledResult<Ran>[]>;

/** A settled run's output, or its failure (which carries the output) thrown. */
const output = (result: PromiseSettledResult<Ran>): Ran => {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
};

beforeAll(async () => {
  if (buildIsStale()) await runPnpm(['run', 'build'], ROOT, 600_000);
  dir = mkdtempSync(join(tmpdir(), 'threadline-pack-'));
  tarballs = await packAll(dir);
  // The linters read only the tarballs: they run while npm installs and the app is checked.
  const tool = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  publint = Promise.allSettled(
    tarballs.map((t) => run(tool('publint'), ['run', '--strict', t.file], { cwd: dir })),
  );
  attw = Promise.allSettled(
    tarballs.map((t) =>
      run(tool('attw'), [t.file, '--profile', 'esm-only', '--format', 'ascii'], { cwd: dir }),
    ),
  );
  app = await installApp(tarballs);
  const candidates = tarballs.flatMap((t) =>
    tsBlocks(t.readme)
      .filter((code) => standalone(code, INSTALLED))
      .map((code, i) => ({ pkg: t.name, file: `readme-${t.name.split('/')[1]}-${i}.ts`, code })),
  );
  for (const s of candidates) writeFileSync(join(app, s.file), s.code);
  const runnable = selfContained(
    app,
    candidates.map((s) => s.file),
  );
  snippets = candidates.filter((s) => runnable.has(s.file));
  writeFileSync(join(app, 'consumer.ts'), CONSUMER);
  writeFileSync(join(app, 'consumer.cjs'), CJS_CONSUMER);
}, 600_000);

afterAll(() => {
  for (const path of [dir, app]) if (path) rmSync(path, { recursive: true, force: true });
});

describe('packed manifests', { timeout: 180_000 }, () => {
  it('keep no workspace: protocol and depend on sibling packages by caret ranges of their versions', () => {
    const versions = new Map(tarballs.map((t) => [t.name, t.manifest.version as string]));
    for (const t of tarballs) {
      expect(JSON.stringify(t.manifest), t.name).not.toContain('workspace:');
      for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
        const deps = (t.manifest[field] ?? {}) as Record<string, string>;
        for (const [dep, range] of Object.entries(deps)) {
          if (versions.has(dep)) expect(range, `${t.name} ${field} ${dep}`).toBe(`^${versions.get(dep)}`);
        }
      }
    }
  });

  it('point to the repository, and export ./package.json and a default condition only for dist files', () => {
    for (const t of tarballs) {
      const { repository, homepage, bugs, keywords, exports, license } = t.manifest as {
        keywords: string[];
        exports: Record<string, string | Record<string, string>>;
        [field: string]: unknown;
      };
      expect(repository, t.name).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: t.dir });
      expect(homepage).toBe(`${REPOSITORY}/tree/main/${t.dir}#readme`);
      expect(bugs).toEqual({ url: `${REPOSITORY}/issues` });
      expect(keywords.length).toBeGreaterThan(2);
      expect(license).toBe('MIT');
      const entries = exports;
      expect(entries['./package.json']).toBe('./package.json');
      for (const [path, target] of Object.entries(entries)) {
        if (path === './package.json') continue;
        expect(Object.keys(target), `${t.name} ${path}`).toEqual(['types', 'default']);
        for (const file of Object.values(target)) expect(t.files).toContain(file.replace('./', ''));
      }
    }
  });

  it('ship the LICENSE and a README whose links work off this repository', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('MIT License');
    for (const t of tarballs) {
      expect(t.files, t.name).toContain('LICENSE');
      expect(readFileSync(join(ROOT, t.dir, 'LICENSE'), 'utf8'), t.name).toBe(license);
      expect(t.readme, t.name).toMatch(new RegExp(`^# ${t.name}\\n`));
      expect(t.readme).toContain(`npm install`);
      for (const [, target] of t.readme.matchAll(/\]\(([^)]+)\)/g)) {
        expect(target, `${t.name} README link`).toMatch(/^(https?:\/\/|#)/);
        const inRepo = target!.startsWith(`${REPOSITORY}/blob/main/`);
        if (inRepo)
          expect(
            () => readFileSync(join(ROOT, target!.slice(`${REPOSITORY}/blob/main/`.length))),
            target,
          ).not.toThrow();
      }
    }
  });
});

describe('an app installing the tarballs', { timeout: 180_000 }, () => {
  it('type-checks its imports and the README snippets under node16 and bundler resolution', async () => {
    const configs = writeTsconfigs(app, ['consumer.ts', ...snippets.map((s) => s.file)]);
    await Promise.all([tsc(app, configs.node16), tsc(app, configs.bundler)]);
  });

  it('requires every entry from CommonJS, where TypeScript accepts it, on Node 24 and 22', async () => {
    const configs = writeTsconfigs(app, ['consumer.ts']);
    await tsc(app, configs.cjs);
    const node22 = join(ROOT, 'packages', 'client', 'node_modules', 'node22', 'bin', 'node');
    for (const node of [process.execPath, node22]) {
      const { stdout } = await run(node, ['consumer.cjs'], { cwd: app });
      expect(stdout.trim(), node).toBe('@threadline/client');
    }
  });

  it("runs every standalone README snippet against the tarball's own threadline-mock", async () => {
    for (const t of tarballs)
      expect(
        snippets.some((s) => s.pkg === t.name),
        `${t.name} README runs`,
      ).toBe(true);
    for (const snippet of snippets) {
      const mock = await startMock(app); // one per snippet: the demo's approvals change server state
      try {
        writeFileSync(join(app, snippet.file), pointAt(snippet.code, mock.url));
        const { stdout } = await run(
          process.execPath,
          ['--disable-warning=ExperimentalWarning', snippet.file],
          {
            cwd: app,
            timeout: 30_000,
          },
        );
        let from = 0;
        for (const claim of claims(snippet.code)) {
          const at = stdout.indexOf(claim, from);
          expect(at, `${snippet.file} prints ${claim}; printed:\n${stdout}`).toBeGreaterThanOrEqual(0);
          from = at + claim.length;
        }
      } finally {
        await mock.stop();
      }
    }
  });

  it("runs the tarball's threadline-conformance against its threadline-mock", async () => {
    const mock = await startMock(app);
    try {
      const { stdout } = await run(
        bin(app, 'threadline-conformance'),
        ['--base-url', mock.url, '--filter', 'chat.json'],
        { cwd: app },
      );
      expect(stdout).toMatch(/\b[1-9]\d* passed, 0 failed/);
    } finally {
      await mock.stop();
    }
  });
});

describe('package linters on every tarball', { timeout: 180_000 }, () => {
  it('publint finds nothing to fix', async () => {
    for (const [i, result] of (await publint).entries()) {
      expect(output(result).stdout, tarballs[i]!.name).toContain('All good!'); // no suggestion either
    }
  });

  // esm-only: these packages ship ES modules only, and attw's own TypeScript (5.6) predates require(esm),
  // so its node16-from-CJS column can only say "ESM (dynamic import only)"; node10 has no `exports`.
  // The CommonJS test above proves require() where it works. See the root README.
  it('attw finds no type problem (esm-only profile)', async () => {
    // attw exits non-zero on any problem outside the ignored resolutions; `output` throws it with the table.
    for (const [i, result] of (await attw).entries()) {
      expect(output(result).stdout).toContain(`${tarballs[i]!.name} v${tarballs[i]!.manifest.version}`);
    }
  });
});
