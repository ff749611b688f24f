import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '@threadline/mock-server';
import { HEADERS } from '@threadline/protocol';
import type { ConformanceOptions } from '../../src/index';
import {
  dropHeaders,
  forceDecision,
  type Rewrite,
  sanitizeIngestPaths,
  startGateway,
  stickyHeaders,
} from './gateway';

/** A server that serves the protocol wrongly in a way no fault mode does, and the checks it must fail. */
export interface Misconfigured {
  /** Starts it; returns its root URL. */
  start(): Promise<{ url: string; close(): Promise<void> }>;
  /** How the suite is pointed at it (what it claims to serve, which checks to run). */
  options: Omit<ConformanceOptions, 'baseUrl'>;
  /** The checks that must fail (MUST) or warn (SHOULD); every other selected check must pass. */
  fails: string[];
}

/** The reference server (demo tools, API keys) behind a gateway that rewrites request headers. */
async function behindGateway(rewrite: Rewrite) {
  const server = await start({ port: 0, auth: { apiKeys: ['sk-gateway'] } });
  const gateway = await startGateway(server.url, rewrite);
  return {
    url: gateway.url,
    close: async () => {
      await gateway.close();
      await server.close();
    },
  };
}

const DESTRUCTIVE = 'Please delete the draft Q3-plan.';

/**
 * A reference server whose upload directory is the parent of the folder holding the link: the link the
 * suite is told escapes (`uploads/escaping-link.md` -> `outside.md`) stays inside, so it is ingested.
 */
async function linkFollowingServer() {
  const root = await mkdtemp(join(tmpdir(), 'threadline-conformance-link-'));
  await mkdir(join(root, 'uploads'));
  await writeFile(join(root, 'outside.md'), 'The link target. It must not be ingested.\n');
  await symlink(join(root, 'outside.md'), join(root, 'uploads', 'escaping-link.md'));
  const server = await start({ port: 0, uploadDir: root });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const MISCONFIGURED: Record<string, Misconfigured> = {
  // Honours no memory header, has no server tools to pause and no /v1/ingest, yet is declared to.
  'an openai-dialect server without server tools, declared as threadline': {
    start: () => start({ port: 0, dialect: 'openai', serverTools: [] }),
    options: {
      apiKey: 'sk-any',
      dialect: 'threadline',
      fixtures: {
        destructivePrompt: DESTRUCTIVE,
        effectPrompt: 'List my drafts.',
        effectMarker: 'Q3-plan',
        ingestPath: 'threadline-demo.md',
        ingestUri: 's3://docs/handbook/',
        ingestEscapingPath: 'escaping-link.md',
      },
      filter: ['approvals', 'memory.session', 'memory.thread', 'ingest'],
    },
    // No pause comes: the pause checks fail, every other approval check is blocked by approvals.pause.json.
    fails: [
      'approvals.pause.json',
      'approvals.pause.stream',
      'ingest.absolute-path-refused',
      'ingest.file-path',
      'ingest.link-escape-refused',
      'ingest.raw-body',
      'ingest.recall',
      'ingest.traversal-refused',
      'ingest.uri',
      'ingest.without-session-refused',
      // Nothing is stored, so recall fails while the checks that only forbid leaks pass.
      'memory.session.recall',
      'memory.thread.recall',
    ],
  },
  // Lets anyone in, yet is declared to require credentials.
  'a server without auth declared with auth': {
    start: () => start({ port: 0 }),
    options: { apiKey: 'sk-any', capabilities: { auth: true }, filter: ['auth'] },
    fails: [
      'auth.missing-credentials',
      'auth.missing-credentials-code',
      'auth.missing-credentials-models',
      'auth.wrong-key',
      'auth.wrong-key-code',
    ],
  },
  // Every user becomes the default user: two users on one session id share its memory and approvals.
  'behind a gateway that drops the user header': {
    start: () => behindGateway(dropHeaders(HEADERS.userId)),
    options: {
      apiKey: 'sk-gateway',
      fixtures: { destructivePrompt: DESTRUCTIVE },
      filter: ['memory.session', 'approvals.other-user'],
    },
    fails: [
      'approvals.other-user',
      'approvals.other-user.code',
      'approvals.other-user.no-effect',
      'memory.session.user-isolation',
    ],
  },
  // A turn without a session header lands in the last session seen (one check at a time, so that is
  // the session the check itself just wrote to).
  'behind a gateway that pins the last session': {
    start: () => behindGateway(stickyHeaders(HEADERS.sessionId)),
    options: { apiKey: 'sk-gateway', filter: ['memory.session'], concurrency: 1 },
    fails: ['memory.session.absent-without-header'],
  },
  'behind a gateway that pins the last thread': {
    start: () => behindGateway(stickyHeaders(HEADERS.threadId)),
    options: { apiKey: 'sk-gateway', filter: ['memory.thread'], concurrency: 1 },
    fails: ['memory.thread.absent-without-header'],
  },
  // A client bug seen from the server: whatever the caller decided arrives as "approve"…
  'behind a gateway that turns every decision into approve': {
    start: () => behindGateway(forceDecision('approve')),
    options: { apiKey: 'sk-gateway', fixtures: { destructivePrompt: DESTRUCTIVE }, filter: ['approvals'] },
    // A second "reject" becomes a second "approve": still already decided, so that check passes.
    fails: [
      'approvals.invalid-decision',
      'approvals.reject.no-effect',
      'approvals.reject.nothing-executed',
      'approvals.reject.run-status',
      'approvals.reject.stop-reason',
    ],
  },
  // …or as "reject".
  'behind a gateway that turns every decision into reject': {
    start: () => behindGateway(forceDecision('reject')),
    options: { apiKey: 'sk-gateway', fixtures: { destructivePrompt: DESTRUCTIVE }, filter: ['approvals'] },
    fails: [
      'approvals.approve.effect',
      'approvals.approve.executed',
      'approvals.approve.streams-continuation',
      'approvals.invalid-decision',
    ],
  },
  // Strips `..` and leading slashes from file_path instead of refusing: the request reaches another file.
  'behind a gateway that sanitises ingest paths': {
    start: () => behindGateway(sanitizeIngestPaths),
    options: { apiKey: 'sk-gateway', filter: ['ingest.traversal-refused', 'ingest.absolute-path-refused'] },
    fails: ['ingest.absolute-path-refused', 'ingest.traversal-refused'],
  },
  'a server that ingests through the declared escaping link': {
    start: linkFollowingServer,
    options: {
      fixtures: { ingestEscapingPath: 'uploads/escaping-link.md' },
      filter: ['ingest.link-escape-refused'],
    },
    fails: ['ingest.link-escape-refused'],
  },
};
