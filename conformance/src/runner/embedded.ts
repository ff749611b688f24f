import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, start } from '@threadline/mock-server';
import type { Capability, Fixtures } from './types';

/** The prompt whose streamed turn the embedded server fails after two chunks. */
export const EMBEDDED_FAILING_PROMPT = 'conformance: fail this turn mid-stream';

/** The demo set's destructive prompt (docs/server-state.md): pauses on `delete_draft`. */
export const EMBEDDED_DESTRUCTIVE_PROMPT = 'Please delete the draft Q3-plan.';

/** The demo set's read-back prompt: `list_drafts` shows Q3-plan until `delete_draft` deleted it. */
export const EMBEDDED_EFFECT_PROMPT = 'List my drafts.';
export const EMBEDDED_EFFECT_MARKER = 'Q3-plan';

/** The bucket `s3://…` and `gs://…` URIs name on the embedded server. */
export const EMBEDDED_BUCKET = 'threadline-conformance';

/** The document the runner writes into the embedded server's upload directory and bucket. */
const HANDBOOK = [
  '# Conformance handbook',
  '',
  'This document is written by the conformance runner for the embedded reference server.',
  'The handbook marker is TEAL-HERON-4.',
  '',
].join('\n');

export interface EmbeddedServer {
  running: RunningServer;
  /** The bearer key the server accepts: the caller's, else one generated for this run. */
  apiKey: string;
  /** The temporary directory holding the upload directory and bucket; removed by `close`. */
  root: string;
  fixtures: Fixtures;
  /** Capabilities the embedded server serves beyond the threadline profile. */
  declared: readonly Capability[];
  /** Closes the server and removes its temporary upload directory. */
  close(): Promise<void>;
}

/**
 * Lays out the temporary directory the embedded server ingests from:
 *
 *     <root>/uploads/conformance-handbook.md        the file_path fixture
 *     <root>/uploads/escaping-link.md -> ../outside.md   a link out of the upload directory
 *     <root>/outside.md                                   what that link must never reach
 *     <root>/bucket/handbook/conformance-handbook.md     s3:// and gs:// objects
 */
async function layOut(root: string): Promise<Fixtures> {
  const uploads = join(root, 'uploads');
  await mkdir(join(root, 'bucket', 'handbook'), { recursive: true });
  await mkdir(uploads);
  await writeFile(join(uploads, 'conformance-handbook.md'), HANDBOOK);
  await writeFile(join(root, 'bucket', 'handbook', 'conformance-handbook.md'), HANDBOOK);
  await writeFile(join(root, 'outside.md'), 'Outside the upload directory: never ingested.\n');
  const fixtures: Fixtures = {
    ingestPath: 'conformance-handbook.md',
    ingestUri: `s3://${EMBEDDED_BUCKET}/handbook/`,
  };
  try {
    await symlink(join(root, 'outside.md'), join(uploads, 'escaping-link.md'));
    fixtures.ingestEscapingPath = 'escaping-link.md';
  } catch {
    // Creating links needs a privilege on Windows; without one the link check skips as unconfigured.
  }
  return fixtures;
}

/**
 * Starts the reference server in-process on a real port (so curl repros in the report work while it
 * runs) with its whole feature set switched on: API-key auth, the demo server tools (the destructive
 * prompt pauses for approval), and an upload directory and bucket in a temporary directory this run owns,
 * so neither `ICE_UPLOAD_DIR` nor the install location of the package changes what is ingested.
 */
export async function startEmbedded(options: { apiKey?: string } = {}): Promise<EmbeddedServer> {
  const apiKey = options.apiKey ?? `sk-conformance-${randomBytes(12).toString('hex')}`;
  const root = await mkdtemp(join(tmpdir(), 'threadline-conformance-'));
  try {
    const ingestFixtures = await layOut(root);
    const running = await start({
      port: 0,
      host: '127.0.0.1',
      auth: { mode: 'api-key', apiKeys: [apiKey] },
      // Only the suite talks to this server, and its fault runs set every fault in their own header.
      headerFaults: 'all',
      uploadDir: join(root, 'uploads'),
      buckets: { [EMBEDDED_BUCKET]: join(root, 'bucket') },
      fixtures: [
        {
          id: 'conformance-failing-prompt',
          match: { userText: EMBEDDED_FAILING_PROMPT },
          reply: {
            text: 'This answer breaks off after two chunks.',
            error: { status: 500, afterChunks: 2 },
          },
        },
      ],
    });
    return {
      running,
      apiKey,
      root,
      fixtures: {
        failingPrompt: EMBEDDED_FAILING_PROMPT,
        destructivePrompt: EMBEDDED_DESTRUCTIVE_PROMPT,
        effectPrompt: EMBEDDED_EFFECT_PROMPT,
        effectMarker: EMBEDDED_EFFECT_MARKER,
        ...ingestFixtures,
      },
      // The threadline dialect has no auth scheme; the embedded server turns API keys on so the
      // missing-credentials checks run too.
      declared: ['auth'],
      async close() {
        try {
          await running.close();
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
