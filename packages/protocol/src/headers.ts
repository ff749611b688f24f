/** Header names every Threadline package agrees on (lower case, as fetch's Headers reports them). */
export const HEADERS = {
  sessionId: 'x-session-id',
  userId: 'x-user-id',
  threadId: 'ic-thread-id',
  smithId: 'ic-smith-id',
  apiVersion: 'ic-api-version',
  spiceProgress: 'x-spiceai-completion-progress',
  requestId: 'x-request-id',
  idempotencyKey: 'idempotency-key',
  retryAfter: 'retry-after',
  retryAfterMs: 'retry-after-ms',
  shouldRetry: 'x-should-retry',
  /** Reference server: per-request stream pacing in milliseconds. */
  chunkDelay: 'x-threadline-chunk-delay',
  /** Reference server: per-request fault injection (see docs/protocol.md). */
  fault: 'x-threadline-fault',
  /** Reference server: the run id of the turn, on every chat response. */
  runId: 'x-threadline-run-id',
} as const;

/** The default `X-User-Id` when a memory-scoped request names none. */
export const DEFAULT_USER_ID = 'default-user';

/** Largest request body any Threadline server accepts: 32 MB (32 × 1024 × 1024 bytes). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects the reference server accepts in JSON it is sent (bodies,
 * fixtures, ingested `.json` files): past it the answer is 400 `json_too_deep`.
 */
export const MAX_JSON_DEPTH = 64;

/** Reserved path prefix of the reference server's control routes. */
export const CONTROL_PREFIX = '/__threadline';
