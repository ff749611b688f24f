import type { ErrorShape } from './errors';
import { DEFAULT_USER_ID, HEADERS } from './headers';

export const DIALECT_NAMES = ['threadline', 'ice', 'ingram', 'spice', 'openai'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/**
 * How a caller proves who it is.
 * - `none`: no credentials (ICE).
 * - `api-key`: `Authorization: Bearer <key>`; a wrong key is 401 `invalid_api_key` (Spice, OpenAI).
 * - `agent-token`: a bearer token whose subject is `<tenant>:<agent>`; tenant-admin tokens must
 *   name the agent by the `user` field or the agent header (Ingram Cloud).
 */
export type AuthScheme = 'none' | 'api-key' | 'agent-token';

/** What one server family calls things. Client, server and conformance suite all read this table. */
export interface Dialect {
  name: DialectName;
  title: string;
  memory: {
    /** Header naming a session whose stored context is retrieved each turn. */
    sessionHeader: string | null;
    /** Header naming the user who owns the session, and its default. */
    userHeader: string | null;
    defaultUserId: string | null;
    /** Header naming a server-held thread: the caller sends only the new turn. */
    threadHeader: string | null;
  };
  identity: {
    /** Header naming the agent a tenant-admin token acts as. */
    agentHeader: string | null;
    /** Whether the body's `user` field names the agent for a tenant-admin token. */
    userFieldNamesAgent: boolean;
  };
  /** Header pinning the API version (value is a date such as `2026-05-01`). */
  versionHeader: string | null;
  /** Header that turns on progress events, and the value that enables it. */
  progress: { header: string; enabledValue: string } | null;
  auth: AuthScheme;
  /** Shape of ordinary error bodies. */
  errorShape: ErrorShape;
  /** Shape of the unknown-model 404 body (Spice answers it as a bare string). */
  modelNotFoundShape: ErrorShape;
  /**
   * Whether web pages call this family's servers directly, so they answer CORS preflight and expose
   * the request and run id headers (Ingram Cloud documents browser-safe agent tokens).
   */
  browser: boolean;
}

const noMemory = { sessionHeader: null, userHeader: null, defaultUserId: null, threadHeader: null };
const noIdentity = { agentHeader: null, userFieldNamesAgent: false };

const iceMemory = {
  sessionHeader: HEADERS.sessionId,
  userHeader: HEADERS.userId,
  defaultUserId: DEFAULT_USER_ID,
  threadHeader: null,
};
const ingramIdentity = { agentHeader: HEADERS.smithId, userFieldNamesAgent: true };
const spiceProgress = { header: HEADERS.spiceProgress, enabledValue: 'enabled' };

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  threadline: {
    name: 'threadline',
    title: 'Threadline (canonical: honours every header)',
    memory: { ...iceMemory, threadHeader: HEADERS.threadId },
    identity: ingramIdentity,
    versionHeader: HEADERS.apiVersion,
    progress: spiceProgress,
    auth: 'none',
    errorShape: 'nested',
    modelNotFoundShape: 'nested',
    browser: true,
  },
  ice: {
    name: 'ice',
    title: 'ICE (session memory by header, ingest, health)',
    memory: iceMemory,
    identity: noIdentity,
    versionHeader: null,
    progress: null,
    auth: 'none',
    errorShape: 'nested',
    modelNotFoundShape: 'nested',
    browser: false,
  },
  ingram: {
    name: 'ingram',
    title: 'Ingram Cloud (agent tokens, threads, files, approvals)',
    memory: { ...noMemory, threadHeader: HEADERS.threadId },
    identity: ingramIdentity,
    versionHeader: HEADERS.apiVersion,
    progress: null,
    auth: 'agent-token',
    errorShape: 'nested',
    modelNotFoundShape: 'nested',
    browser: true,
  },
  spice: {
    name: 'spice',
    title: 'Spice (API keys, progress events, flat errors)',
    memory: noMemory,
    identity: noIdentity,
    versionHeader: null,
    progress: spiceProgress,
    auth: 'api-key',
    errorShape: 'flat',
    modelNotFoundShape: 'string',
    browser: false,
  },
  openai: {
    name: 'openai',
    title: 'Plain OpenAI-compatible',
    memory: noMemory,
    identity: noIdentity,
    versionHeader: null,
    progress: null,
    auth: 'api-key',
    errorShape: 'nested',
    modelNotFoundShape: 'nested',
    browser: false,
  },
};

export const isDialectName = (value: string): value is DialectName =>
  (DIALECT_NAMES as readonly string[]).includes(value);

/** Looks a dialect up by name; throws a TypeError listing the valid names otherwise. */
export function getDialect(name: string): Dialect {
  if (!isDialectName(name)) {
    throw new TypeError(
      `unknown dialect ${JSON.stringify(name)}: expected one of ${DIALECT_NAMES.join(', ')}`,
    );
  }
  return DIALECTS[name];
}
