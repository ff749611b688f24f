import type { DialectName } from '@threadline/protocol';
import type { CheckContext } from './context';

export type Level = 'MUST' | 'SHOULD';

/** What a server may promise; a check whose capability is not declared is skipped. */
export const CAPABILITIES = [
  'chat',
  'streaming',
  'sampling',
  'models',
  'health',
  'errors',
  'stream-errors',
  'tools',
  'tool-choice-validation',
  'approvals',
  'memory-session',
  'memory-thread',
  'auth',
  'ingest',
  'files',
  'runs',
  'limits',
  'cancel',
  'progress',
  /** CORS preflight and exposed headers: for dialects whose servers web pages call (`browser`). */
  'cors',
  /** POST /v1/responses: the Responses door (JSON, named SSE events, previous_response_id). */
  'responses',
  /** WebSocket mode on /v1/responses (`response.create` messages, events as text frames). */
  'responses-websocket',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The sections of docs/protocol.md a check can enforce. */
export const SECTIONS = {
  endpoints: 'protocol.md#endpoints',
  chat: 'protocol.md#chat-completions',
  streaming: 'protocol.md#streaming',
  errors: 'protocol.md#errors',
  tools: 'protocol.md#tools',
  approvals: 'protocol.md#approvals',
  memory: 'protocol.md#memory',
  identity: 'protocol.md#identity-and-auth',
  ingest: 'protocol.md#ingest',
  files: 'protocol.md#files',
  runs: 'protocol.md#runs',
  limits: 'protocol.md#limits',
  progress: 'protocol.md#progress',
  dialects: 'protocol.md#dialects',
  responses: 'protocol.md#responses',
} as const;
export type Section = (typeof SECTIONS)[keyof typeof SECTIONS];

/** The families of the catalogue: the six of the chat surface, then the Responses door's. */
export const FAMILIES = [
  'wire',
  'stream-errors',
  'tool-choice',
  'approvals',
  'memory',
  'ingest-files',
  'responses',
] as const;
export type Family = (typeof FAMILIES)[number];

/** Values a server's operator supplies so checks can provoke behaviours no generic prompt can. */
export interface Fixtures {
  /** A model id the server serves; default: --model, else the first of GET /v1/models. */
  model?: string;
  /** A user prompt that makes the server call a destructive server tool (approval pause). */
  destructivePrompt?: string;
  /** A user prompt whose turn fails after the stream started (an error frame). */
  failingPrompt?: string;
  /** A path, relative to the server's upload directory, that POST /v1/ingest?file_path= can load. */
  ingestPath?: string;
  /** An object-storage URI (`s3://bucket/key` or `gs://…`, a key or a prefix) POST /v1/ingest?uri= can load. */
  ingestUri?: string;
  /** A path in the upload directory that is a link pointing out of it (ingest must refuse it). */
  ingestEscapingPath?: string;
  /**
   * A user prompt whose reply shows the destructive tool's effect: it contains `effectMarker` while the
   * tool has not run for the caller, and not once it ran (the demo set: `List my drafts.`).
   */
  effectPrompt?: string;
  /** What the effect prompt's reply contains until the destructive prompt's tool runs (demo: `Q3-plan`). */
  effectMarker?: string;
}
export type FixtureName = keyof Fixtures;

export interface CheckMeta {
  /** Stable id, dotted: `<area>.<topic>.<behaviour>`. Baselines and filters use it. */
  id: string;
  title: string;
  family: Family;
  capability: Capability;
  /** Further capabilities the check needs (e.g. a run record to look at). */
  requires?: readonly Capability[];
  /** Fixtures without which the check cannot provoke the behaviour (skipped when absent). */
  fixtures?: readonly FixtureName[];
  level: Level;
  section: Section;
  /**
   * Ids of checks that judge what this one builds on (the plain stream opening, the approval pause).
   * The runner finishes them first, so when this check finds that ground broken it can throw
   * `CheckBlocked(id, …)` and be reported `blocked by <id>` instead of failing on its own account.
   */
  after?: readonly string[];
}

export interface Check extends CheckMeta {
  run(ctx: CheckContext): Promise<void>;
}

/**
 * passed; failed (a MUST broke); warning (a SHOULD broke: reported, never fails the run); skipped
 * (capability or fixture not declared); blocked (could not judge because a prerequisite check failed
 * in this run: that failure is the one to fix, and it already sets the exit code); baselined (failed,
 * and the baseline expected it); stale (the baseline expected a failure but the check passed: fails the
 * run so the baseline gets cleaned).
 */
export type CheckStatus = 'passed' | 'failed' | 'warning' | 'skipped' | 'blocked' | 'baselined' | 'stale';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text bodies verbatim; large binary ones by size only. */
  body?: string;
  bodyBytes?: number;
  stream?: boolean;
}

export interface CheckResult extends CheckMeta {
  status: CheckStatus;
  /** Why it failed, was skipped or blocked, in one sentence (blocked: `blocked by <id>: …`). */
  message?: string;
  /** For a blocked check: the id of the failed check it builds on (the root, when that one is blocked too). */
  blockedBy?: string;
  expected?: string;
  got?: string;
  /** The request that showed the failure, and a curl command reproducing it (secrets masked). */
  request?: RecordedRequest;
  curl?: string;
  durationMs: number;
}

export interface Summary {
  passed: number;
  /** MUST failures plus stale baseline entries: any of them makes the exit code 1. */
  failed: number;
  skipped: number;
  /** Checks that could not judge because a prerequisite failed; they do not change the exit code. */
  blocked: number;
  warnings: number;
  baselined: number;
  stale: number;
  total: number;
  durationMs: number;
}

/** Where the model of a run came from: `--model`, the config's `model` fixture, GET /v1/models, or none. */
export type ModelSource = 'option' | 'config' | 'models-list' | 'server-default';

export interface ConformanceReport {
  baseUrl: string;
  dialect: DialectName;
  embedded: boolean;
  /** The model the chat checks named, and where it came from (`""`: the server's default). */
  model: { id: string; source: ModelSource };
  capabilities: Capability[];
  /**
   * Capabilities the server's discovery document says it does not serve (e.g. auth on a server without
   * auth): their checks were left out of the run, so they count nowhere, not even as skipped.
   */
  notServed?: Array<{ capability: Capability; reason: string }>;
  /** The discovery document the run read fixtures from, or null. */
  discovery?: string | null;
  results: CheckResult[];
  summary: Summary;
  /** 0: no MUST failed; 1: a MUST failed or a baseline entry is stale. */
  exitCode: 0 | 1;
}
