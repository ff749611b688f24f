import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PUBLISHED, ROOT, run, runPnpm } from './workspace';

export interface Tarball {
  name: string;
  dir: string;
  /** Absolute path of the .tgz. */
  file: string;
  /** The package.json inside the tarball, as publishing would upload it. */
  manifest: Record<string, unknown>;
  /** Every path in the tarball, without the leading `package/`. */
  files: string[];
  /** The README.md inside the tarball. */
  readme: string;
}

/** Packs every published package with pnpm, which is what `changeset publish` runs. */
export async function packAll(into: string): Promise<Tarball[]> {
  mkdirSync(into, { recursive: true });
  await Promise.all(
    PUBLISHED.map(({ dir }) => runPnpm(['pack', '--pack-destination', into], join(ROOT, dir))),
  );
  const tgzs = readdirSync(into).filter((f) => f.endsWith('.tgz'));
  return Promise.all(
    PUBLISHED.map(async ({ dir, name }) => {
      const prefix = `${name.replace('@', '').replace('/', '-')}-`;
      const found = tgzs.filter((f) => f.startsWith(prefix) && /^\d/.test(f.slice(prefix.length)));
      if (found.length !== 1) throw new Error(`expected one tarball for ${name}, found ${found.join(', ')}`);
      const file = join(into, found[0]!);
      const unpacked = join(into, prefix.slice(0, -1));
      mkdirSync(unpacked, { recursive: true });
      await run('tar', ['-xzf', file, '-C', unpacked], { cwd: into });
      const listing = await run('tar', ['-tzf', file], { cwd: into });
      return {
        name,
        dir,
        file,
        manifest: JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')),
        files: listing.stdout
          .split('\n')
          .filter(Boolean)
          .map((f) => f.replace(/^package\//, '')),
        readme: readFileSync(join(unpacked, 'package', 'README.md'), 'utf8'),
      };
    }),
  );
}

/**
 * A new app in the system temp folder (outside the workspace, so nothing resolves through it) with the
 * tarballs installed by npm, the way a user installs them before the first publish. Third-party
 * dependencies come from the registry through a cache kept in node_modules/.cache, so reruns are quick.
 */
export async function installApp(tarballs: Tarball[]): Promise<string> {
  const app = mkdtempSync(join(tmpdir(), 'threadline-app-'));
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'threadline-app', private: true, type: 'module' }, null, 2)}\n`,
  );
  const cache = join(ROOT, 'node_modules', '.cache', 'packaging-npm');
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      '--cache',
      cache,
      ...tarballs.map((t) => t.file),
    ],
    { cwd: app, timeout: 180_000 },
  );
  return app;
}
