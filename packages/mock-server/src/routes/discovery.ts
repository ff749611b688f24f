import { DEMO_DOCUMENT, DEMO_FAILING_PROMPT } from '../demo';
import { uploadDir } from '../ingest/route';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import type { ServerState } from '../state';

/** Where a conformance suite reads what this server can be checked with. */
export const DISCOVERY_PATH = '/.well-known/threadline-conformance.json';

/** The demo set's prompts (docs/server-state.md) a suite needs to provoke approvals and their effect. */
export const DEMO_CONFORMANCE_PROMPTS = {
  destructivePrompt: 'Please delete the draft Q3-plan.',
  effectPrompt: 'List my drafts.',
  effectMarker: 'Q3-plan',
  failingPrompt: DEMO_FAILING_PROMPT,
} as const;

/** The link name `layOutDemo` makes (kept here so this module loads without node:fs). */
const ESCAPING_LINK = 'escaping-link.md';

/** The body of the discovery route: no secrets, only what a suite needs to run its checks. */
export interface ConformanceDiscovery {
  object: 'threadline.conformance';
  server: 'threadline-mock';
  dialect: string;
  /** `none`: anyone gets in, so credential checks do not apply. */
  auth: 'none' | 'api-key' | 'agent-token';
  fixtures: Record<string, string>;
}

/** True when `name` in `dir` is a file (links followed); false where there is no file system. */
async function isFile(dir: string, name: string): Promise<boolean> {
  try {
    const [{ stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    return (await stat(join(dir, name))).isFile();
  } catch {
    return false;
  }
}

/** True when `name` in `dir` is a link whose target lies outside `dir`. */
async function escapes(dir: string, name: string): Promise<boolean> {
  try {
    const [{ lstat, realpath }, { join, relative, isAbsolute }] = await Promise.all([
      import('node:fs/promises'),
      import('node:path'),
    ]);
    if (!(await lstat(join(dir, name))).isSymbolicLink()) return false;
    const target = relative(await realpath(dir), await realpath(join(dir, name)));
    return target.startsWith('..') || isAbsolute(target);
  } catch {
    return false;
  }
}

/**
 * The fixtures this server can serve, found rather than assumed: the demo prompts when the demo tools
 * are on, the demo document where the upload directory or a bucket holds it, the escaping link where
 * the upload directory has one.
 */
export async function discover(state: ServerState): Promise<ConformanceDiscovery> {
  const { input } = state.config;
  const fixtures: Record<string, string> = {};
  if (input.serverTools === undefined) Object.assign(fixtures, DEMO_CONFORMANCE_PROMPTS);
  const uploads = await uploadDir(input.uploadDir);
  if (uploads !== null) {
    if (await isFile(uploads, DEMO_DOCUMENT)) fixtures.ingestPath = DEMO_DOCUMENT;
    if (await escapes(uploads, ESCAPING_LINK)) fixtures.ingestEscapingPath = ESCAPING_LINK;
  }
  for (const [bucket, dir] of Object.entries(input.buckets ?? {})) {
    if (!(await isFile(dir, DEMO_DOCUMENT))) continue;
    fixtures.ingestUri = `s3://${bucket}/${DEMO_DOCUMENT}`;
    break;
  }
  return {
    object: 'threadline.conformance',
    server: 'threadline-mock',
    dialect: state.dialect.name,
    auth: state.config.auth.mode,
    fixtures,
  };
}

/** GET /.well-known/threadline-conformance.json: public, no credentials, no faults. */
export function discoveryRoute(state: ServerState) {
  return async (): Promise<OutboundResponse> => jsonResponse(200, await discover(state));
}
