import { ERROR_CODES } from '@threadline/protocol';
import { HttpError, notFound } from '../internal/errors';

/** One file to ingest: a display name and its bytes. */
export interface IngestFile {
  name: string;
  bytes: Uint8Array;
}

/** At most this many files per request (a bucket prefix can name many). */
export const MAX_INGEST_FILES = 1000;

const invalidPath = (param: string, message: string) =>
  new HttpError({ status: 400, code: ERROR_CODES.invalidPath, param, message });

const fs = () => import('node:fs/promises');
const path = () => import('node:path');

/**
 * A path relative to `root`, refused when it is absolute, climbs with `..`, or (through a symlink)
 * lands outside `root`. Resolves to the real path.
 */
export async function resolveInside(root: string, relative: string, param: string): Promise<string> {
  const { realpath } = await fs();
  const { isAbsolute, join, sep } = await path();
  if (relative.includes('\u0000')) throw invalidPath(param, `${param} contains a NUL character.`);
  if (isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || /^[\\/]/.test(relative)) {
    throw invalidPath(param, `${param} must be relative to the upload directory, got an absolute path.`);
  }
  if (relative.split(/[\\/]+/).includes('..')) {
    throw invalidPath(param, `${param} must not contain '..' segments.`);
  }
  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch {
    // The server's own set-up is at fault, but the caller's file_path names nothing either way: a 404
    // (never a 5xx, which clients retry).
    throw notFound(`No file '${relative}': this server's upload directory does not exist.`);
  }
  let real: string;
  try {
    real = await realpath(join(rootReal, relative));
  } catch {
    throw notFound(`No file '${relative}' in the upload directory.`);
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) {
    throw invalidPath(param, `${param} leads out of the upload directory (through a symbolic link).`);
  }
  return real;
}

/** Every regular file under `dir` (recursively) whose real path stays inside `root`, sorted by path. */
export async function filesUnder(root: string, dir: string): Promise<string[]> {
  const { readdir, realpath, stat } = await fs();
  const { join, sep } = await path();
  const rootReal = await realpath(root);
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(current, entry.name);
      const real = await realpath(full).catch(() => null);
      // Links pointing out of the root are skipped, never followed.
      if (real === null || !real.startsWith(rootReal + sep)) continue;
      const info = await stat(real);
      if (info.isDirectory()) await walk(full);
      else if (info.isFile()) out.push(full);
      if (out.length > MAX_INGEST_FILES) {
        throw new HttpError({
          status: 400,
          code: ERROR_CODES.invalidValue,
          message: `More than ${MAX_INGEST_FILES} files to ingest in one request; name a narrower path.`,
        });
      }
    }
  };
  await walk(dir);
  return out;
}

/** Reads a file or every file under a directory, named relative to `root` (with `/`). */
export async function readFiles(root: string, target: string): Promise<IngestFile[]> {
  const { readFile, stat } = await fs();
  const { relative, sep } = await path();
  const rootName = (full: string) => relative(root, full).split(sep).join('/');
  const info = await stat(target);
  const paths = info.isDirectory() ? await filesUnder(root, target) : [target];
  const out: IngestFile[] = [];
  for (const full of paths) out.push({ name: rootName(full), bytes: new Uint8Array(await readFile(full)) });
  return out;
}

/**
 * `s3://bucket/key` or `gs://bucket/key` from a configured local folder: the object named by the key,
 * else every object whose key starts with it (a prefix; `s3://bucket/` is the whole bucket).
 */
export async function readBucket(buckets: Record<string, string>, uri: string): Promise<IngestFile[]> {
  const match = /^(s3|gs):\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) {
    throw new HttpError({
      status: 400,
      code: ERROR_CODES.invalidValue,
      param: 'uri',
      message: `uri must be s3://bucket/key or gs://bucket/key, got ${JSON.stringify(uri)}.`,
    });
  }
  const [, scheme, bucket, key] = match as unknown as [string, string, string, string];
  // Own names only: `s3://__proto__/…` or `s3://constructor/…` name no bucket.
  const root = Object.hasOwn(buckets, bucket) ? buckets[bucket] : undefined;
  if (root === undefined) {
    throw new HttpError({
      status: 404,
      code: ERROR_CODES.notFound,
      param: 'uri',
      message: `Bucket '${bucket}' is not configured (${scheme}://); map it with --bucket ${bucket}=DIR.`,
    });
  }
  if (key.split('/').includes('..')) throw invalidPath('uri', 'uri keys must not contain .. segments.');
  const { realpath } = await fs();
  const rootReal = await realpath(root).catch(() => {
    throw new HttpError({
      status: 500,
      message: `The folder of bucket '${bucket}' (${root}) does not exist.`,
    });
  });
  const { relative, sep } = await path();
  const all = await filesUnder(rootReal, rootReal);
  const keyOf = (full: string) => relative(rootReal, full).split(sep).join('/');
  const exact = all.filter((full) => keyOf(full) === key);
  const chosen = exact.length > 0 ? exact : all.filter((full) => keyOf(full).startsWith(key));
  if (chosen.length === 0) {
    throw new HttpError({
      status: 404,
      code: ERROR_CODES.notFound,
      param: 'uri',
      message: `No object under ${uri}.`,
    });
  }
  const { readFile } = await fs();
  const out: IngestFile[] = [];
  for (const full of chosen) {
    out.push({ name: `${scheme}://${bucket}/${keyOf(full)}`, bytes: new Uint8Array(await readFile(full)) });
  }
  return out;
}
