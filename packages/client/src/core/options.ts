import { DIALECT_NAMES, type DialectName, isDialectName, type ProgressEvent } from '@threadline/protocol';
import { ThreadlineError } from './errors';
import type { Logger, LogLevel } from './logger';

export type ApiKeySource = string | (() => string | Promise<string>);

/** Header values; `null` removes a header set at a wider level (client defaults, say). */
export type HeadersInit = Record<string, string | null | undefined>;

/** Options of a client. Every one of them can also be given to a single call. */
export interface ClientOptions {
  /** Server root, e.g. `http://localhost:8787` (a trailing `/v1` is accepted). Env: THREADLINE_BASE_URL. */
  baseURL?: string;
  /** Bearer credential, or a function returning one (called once per call). Env: THREADLINE_API_KEY. */
  apiKey?: ApiKeySource | null;
  /** Which server family's headers to speak. Default `threadline` (every header). */
  dialect?: DialectName;
  /** Memory scope: session (ICE `X-Session-Id`). `null` unsets a client-wide value for one call. */
  sessionId?: string | null;
  /** Memory scope: owner of the session (`X-User-Id`; the server defaults it to `default-user`). */
  userId?: string | null;
  /** Memory scope: a server-held thread (`IC-Thread-Id`); send only the new turn. */
  threadId?: string | null;
  /** Identity: the agent a tenant-admin token acts as (`IC-Smith-Id: smt_…`). */
  agentId?: string | null;
  /** Identity: the body's `user` field (names the agent by external id for tenant-admin tokens). */
  user?: string | null;
  /** API version pin (`IC-Api-Version`, a date such as `2026-05-01`). */
  apiVersion?: string | null;
  /** Per-attempt limit in ms, until the response headers (whole body for JSON calls). Default 600000. */
  timeout?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Longest `retry-after` the client waits in ms; a server asking more gets the error thrown. Default 60000. */
  maxRetryAfter?: number;
  /** A stream that sends no bytes for this many ms fails with StreamIdleTimeoutError. 0 = never. Default 120000. */
  streamIdleTimeout?: number;
  /** Headers sent on every request (merged with per-call ones; `null` removes). */
  defaultHeaders?: HeadersInit;
  /** A fetch implementation (a proxy-aware one, a test double for your app…). Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Default `warn`, or env THREADLINE_LOG. */
  logLevel?: LogLevel;
  /** Default console. Receives only redacted data. */
  logger?: Logger;
  /** Allow a credential that is not agent-scoped in a browser (it would be visible to every visitor). */
  dangerouslyAllowBrowser?: boolean;
}

/** Options of one call: any client option, plus the ones that only make sense per call. */
export interface RequestOptions extends ClientOptions {
  signal?: AbortSignal;
  headers?: HeadersInit;
  /** Sent as `Idempotency-Key` on every attempt of a POST. Default: a fresh random key per call. */
  idempotencyKey?: string;
  /** Ask for completion progress events (stream only; the dialect must have a progress header). */
  progress?: boolean;
  /** Receives progress events; implies `progress: true`. Never mixed into the chunk stream. */
  onProgress?: (event: ProgressEvent) => void;
}

export const DEFAULTS = {
  timeout: 600_000,
  maxRetries: 2,
  maxRetryAfter: 60_000,
  streamIdleTimeout: 120_000,
} as const;

/** Later sources win, except that `undefined` never overrides; header maps are merged. */
export function mergeOptions<T extends ClientOptions>(
  base: T,
  extra: RequestOptions | undefined,
): T & RequestOptions {
  if (!extra) return base;
  checkOptions(extra);
  const out = { ...base } as Record<string, unknown>;
  for (const key in extra) {
    const value = extra[key as keyof RequestOptions];
    if (value !== undefined) out[key] = value;
  }
  if (base.defaultHeaders && extra.defaultHeaders) {
    out.defaultHeaders = { ...base.defaultHeaders, ...extra.defaultHeaders };
  }
  return out as T & RequestOptions;
}

const NUMERIC = ['timeout', 'maxRetries', 'maxRetryAfter', 'streamIdleTimeout'] as const;

/** Rejects option values that would misbehave later (a negative timeout, a retry count of 1.5…). */
export function checkOptions(options: ClientOptions): void {
  if (options.dialect !== undefined && !isDialectName(options.dialect)) {
    throw new ThreadlineError(
      `unknown dialect ${JSON.stringify(options.dialect)}: use one of ${DIALECT_NAMES.join(', ')}`,
    );
  }
  for (const key of NUMERIC) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0) || (key === 'maxRetries' && !Number.isInteger(value))) {
      throw new ThreadlineError(
        `${key} must be a ${key === 'maxRetries' ? 'whole ' : ''}number ≥ 0, got ${value}`,
      );
    }
  }
}
