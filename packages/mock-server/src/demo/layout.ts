import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_DOCUMENT, demoUploadDir } from './index';

/** The bucket `s3://…` and `gs://…` URIs name when the CLI lays out the demo files. */
export const DEMO_BUCKET = 'threadline-demo';

/** The link in the demo upload directory that points out of it (ingest must refuse it). */
export const DEMO_ESCAPING_LINK = 'escaping-link.md';

export interface DemoLayout {
  /** The upload directory: the demo document and the escaping link. */
  uploadDir: string;
  /** Bucket name → folder holding the demo document. */
  buckets: Record<string, string>;
  /** Removes the temporary directory. */
  remove(): Promise<void>;
}

/**
 * What `threadline-mock` with no upload directory serves ingest from, in a temporary directory it
 * removes on exit:
 *
 *     <root>/uploads/threadline-demo.md                  ?file_path=threadline-demo.md
 *     <root>/uploads/escaping-link.md -> ../outside.md   a link out of the upload directory
 *     <root>/outside.md                                  what that link must never reach
 *     <root>/bucket/threadline-demo.md                   s3://threadline-demo/threadline-demo.md
 *
 * A package cannot ship a symbolic link, so the one a suite needs is made here. Where links need a
 * privilege (Windows), the layout has none and the discovery route does not advertise one. Null when
 * the package's `demo/` folder cannot be found (the server was bundled away from it): there is nothing
 * to copy, and the server serves as it would without a demo document.
 */
export async function layOutDemo(): Promise<DemoLayout | null> {
  const source = await demoUploadDir();
  if (source === null) return null;
  const root = await mkdtemp(join(tmpdir(), 'threadline-mock-demo-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const uploads = join(root, 'uploads');
    const bucket = join(root, 'bucket');
    await mkdir(uploads);
    await mkdir(bucket);
    await copyFile(join(source, DEMO_DOCUMENT), join(uploads, DEMO_DOCUMENT));
    await copyFile(join(source, DEMO_DOCUMENT), join(bucket, DEMO_DOCUMENT));
    await writeFile(join(root, 'outside.md'), 'Outside the upload directory: never ingested.\n');
    await symlink(join(root, 'outside.md'), join(uploads, DEMO_ESCAPING_LINK)).catch(() => {});
    return { uploadDir: uploads, buckets: { [DEMO_BUCKET]: bucket }, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
