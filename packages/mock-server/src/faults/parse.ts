/**
 * Fault specs: `;`-separated `name[=value]` items such as `rate-limit=2` or `latency=200; status=500`.
 * One grammar for the request header, the CLI flag / config, and the one-shot queue.
 */
export interface FaultSet {
  /** `status=<code>`: answer this HTTP status with a typed error body. */
  status?: number;
  /** `code=<error code>`: the `code` of the injected error (status, rate-limit, quota, error frame). */
  code?: string;
  /** `rate-limit[=<seconds>]`: 429 `rate_limit_exceeded` with Retry-After and retry-after-ms. */
  rateLimitSeconds?: number;
  /** `quota`: 429 `insufficient_quota`, marked not retryable. */
  quota?: boolean;
  /** `should-retry=true|false`: the `x-should-retry` response header. */
  shouldRetry?: boolean;
  /** `latency=<ms>`: wait before answering. */
  latencyMs?: number;
  /** `drop-after=<n>`: stream n chunks (a download: n 16 KiB pieces), then destroy the connection. */
  dropAfter?: number;
  /** `error-frame-after=<n>`: stream n chunks, then an error frame and `[DONE]`. */
  errorFrameAfter?: number;
  /** `malformed-chunk-after=<n>`: stream n chunks, then a frame that is not JSON. */
  malformedChunkAfter?: number;
  /** `stall-after=<n>`: stream n chunks (a download: n pieces), then send nothing, keeping it open. */
  stallAfter?: number;
  /** `no-done`: end the stream cleanly without `data: [DONE]`. */
  noDone?: boolean;
  /** `wrong-content-type`: send the stream as `application/json`. */
  wrongContentType?: boolean;
  /** `ignore-tool-choice`: the model disregards `tool_choice` (and its validation). */
  ignoreToolChoice?: boolean;
  /** `bad-approval-id`: approval pauses carry ids that are not `<run_id>::<tool_call_id>`. */
  badApprovalId?: boolean;
  /** `empty-success`: chat answers 200 + `stop` + empty content, even when it should fail. */
  emptySuccess?: boolean;
  /** `changing-ids`: chunk ids change in the middle of a stream. */
  changingIds?: boolean;
  /** `bad-usage`: usage whose total is not prompt + completion. */
  badUsage?: boolean;
  /** `usage-chunk-id`: the include_usage chunk carries another id than the rest of the stream. */
  usageChunkId?: boolean;
  /** `no-role-on-tool-stream`: a stream that starts with a tool call has no role in its first delta. */
  noRoleOnToolStream?: boolean;
  /** `lenient-sampling`: out-of-range or mistyped sampling parameters are dropped instead of refused. */
  lenientSampling?: boolean;
  /** `accept-unknown-role`: a message with an unknown role is read as a user message, not refused. */
  acceptUnknownRole?: boolean;
  /** `no-developer-role`: a `developer` message is refused as an unknown role. */
  noDeveloperRole?: boolean;
  /** `models-any-id`: GET /v1/models/{id} answers 200 for any id. */
  modelsAnyId?: boolean;
  /** `no-cors`: no CORS headers on answers, and a preflight is answered 405 without them. */
  noCors?: boolean;
  /** `error-shape=express|fastapi|string`: error bodies in another framework's shape. */
  errorShape?: 'express' | 'fastapi' | 'string';
  /** `numeric-error-code`: error bodies carry the HTTP status as a number in `code`. */
  numericErrorCode?: boolean;
  /** `ignore-required`: `tool_choice: "required"` is treated as `"auto"`. */
  ignoreRequired?: boolean;
  /** `no-role`: a stream that starts with text has no role in its first delta. */
  noRole?: boolean;
  /** `double-finish`: the chunk with the finish_reason is sent twice. */
  doubleFinish?: boolean;
  /** `no-usage-chunk`: `stream_options.include_usage` is ignored. */
  noUsageChunk?: boolean;
  /** `frames-after-done`: a chunk follows `data: [DONE]` (on /v1/responses: the terminal event comes twice). */
  framesAfterDone?: boolean;
  /** `no-progress`: the progress header is ignored (no progress events). */
  noProgress?: boolean;
  /** `progress-backwards`: progress fractions decrease. */
  progressBackwards?: boolean;
  /** `reject-as-completed`: a rejected approval records its paused run `completed`, not `approval_rejected`. */
  rejectAsCompleted?: boolean;
  /** `run-on-reject`: a rejected destructive tool runs anyway (the answer still says it was rejected). */
  runOnReject?: boolean;
  /** `rerun-decided`: an approval already decided is decided again (and runs again when approved). */
  rerunDecided?: boolean;
  /** `any-user-approves`: an approval id is found whoever sends the decision. */
  anyUserApproves?: boolean;
  /** `shared-session-memory`: every session of a user shares one memory. */
  sharedSessionMemory?: boolean;
  /** `store-without-session`: a turn without a session is stored where the user's sessions retrieve it. */
  storeWithoutSession?: boolean;
  /** `ignore-idempotency-key`: a stateful turn's `Idempotency-Key` is ignored, so every resend is stored. */
  ignoreIdempotencyKey?: boolean;
  /** `ingest-without-session`: ingest without a session header stores the documents instead of a 400. */
  ingestWithoutSession?: boolean;
  /** `files-any-user`: a stored file is served to whoever asks for its id. */
  filesAnyUser?: boolean;
  /** `body-limit=<bytes>`: the request body limit (default 33,554,432 bytes). */
  bodyLimit?: number;
  /** `accept-any-key`: with API keys on, any bearer key is accepted (a missing one is still 401). */
  acceptAnyKey?: boolean;
  /** `pause-as-completed`: a run paused for approval is recorded `completed`, not `awaiting_approval`. */
  pauseAsCompleted?: boolean;
  /** `accept-unknown-approval`: an approval id never issued is passed over instead of 400 unknown_approval_id. */
  acceptUnknownApproval?: boolean;
  /** `bad-file-object`: GET /v1/files/{id} says `object: "blob"` and has no `created_at`. */
  badFileObject?: boolean;
  /** `sequence-gap`: on /v1/responses streams, one `sequence_number` is skipped (after the second event). */
  sequenceGap?: boolean;
  /** `item-done-without-added`: on /v1/responses streams, the message item has no `output_item.added`. */
  itemDoneWithoutAdded?: boolean;
  /** `lost-text-delta`: on /v1/responses streams, the first text delta is never sent (numbers stay consecutive). */
  lostTextDelta?: boolean;
  /** `duplicate-output-id`: every /v1/responses message item has the id `msg_0`. */
  duplicateOutputId?: boolean;
  /** `changing-response-id`: a /v1/responses stream's terminal event carries another response id. */
  changingResponseId?: boolean;
  /** `hide-mcp-calls`: server tools a /v1/responses turn ran are not listed as `mcp_call` items. */
  hideMcpCalls?: boolean;
  /** `ignore-unknown-previous`: an unknown `previous_response_id` is passed over instead of a 404. */
  ignoreUnknownPrevious?: boolean;
  /** `bad-response-object`: a /v1/responses JSON answer says `object: "responses"` and has no `created_at`. */
  badResponseObject?: boolean;
}

export class FaultSpecError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

type Parser = (value: string | undefined, into: FaultSet, name: string) => void;

function integer(value: string | undefined, name: string, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new FaultSpecError(`fault ${name} needs a whole number (${name}=N)`);
  }
  const n = Number(value);
  if (n < min || n > max) throw new FaultSpecError(`fault ${name}=${value} is out of range ${min}..${max}`);
  return n;
}

function flag(value: string | undefined, name: string): true {
  if (value !== undefined && value !== 'true') throw new FaultSpecError(`fault ${name} takes no value`);
  return true;
}

const MAX_MS = 10 * 60 * 1000;
const MAX_CHUNKS = 1_000_000;
/** `body-limit` may lower the limit or raise it up to 1 GiB. */
const MAX_BODY_LIMIT = 1024 * 1024 * 1024;

const PARSERS: Record<string, Parser> = {
  status: (v, f, n) => {
    f.status = integer(v, n, 400, 599);
  },
  code: (v, f, n) => {
    if (v === undefined || !/^[A-Za-z0-9_.-]{1,64}$/.test(v)) {
      throw new FaultSpecError(`fault ${n} needs an error code of letters, digits, _ . or -`);
    }
    f.code = v;
  },
  'rate-limit': (v, f, n) => {
    if (v === undefined) {
      f.rateLimitSeconds = 1;
      return;
    }
    const seconds = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || seconds > 3600) {
      throw new FaultSpecError(`fault ${n}=${v}: expected seconds between 0 and 3600`);
    }
    f.rateLimitSeconds = seconds;
  },
  quota: (v, f, n) => {
    f.quota = flag(v, n);
  },
  'should-retry': (v, f, n) => {
    if (v !== 'true' && v !== 'false') throw new FaultSpecError(`fault ${n} must be true or false`);
    f.shouldRetry = v === 'true';
  },
  latency: (v, f, n) => {
    f.latencyMs = integer(v, n, 0, MAX_MS);
  },
  'drop-after': (v, f, n) => {
    f.dropAfter = integer(v, n, 0, MAX_CHUNKS);
  },
  'error-frame-after': (v, f, n) => {
    f.errorFrameAfter = integer(v, n, 0, MAX_CHUNKS);
  },
  'malformed-chunk-after': (v, f, n) => {
    f.malformedChunkAfter = integer(v, n, 0, MAX_CHUNKS);
  },
  'stall-after': (v, f, n) => {
    f.stallAfter = integer(v, n, 0, MAX_CHUNKS);
  },
  'no-done': (v, f, n) => {
    f.noDone = flag(v, n);
  },
  'wrong-content-type': (v, f, n) => {
    f.wrongContentType = flag(v, n);
  },
  'ignore-tool-choice': (v, f, n) => {
    f.ignoreToolChoice = flag(v, n);
  },
  'bad-approval-id': (v, f, n) => {
    f.badApprovalId = flag(v, n);
  },
  'empty-success': (v, f, n) => {
    f.emptySuccess = flag(v, n);
  },
  'changing-ids': (v, f, n) => {
    f.changingIds = flag(v, n);
  },
  'bad-usage': (v, f, n) => {
    f.badUsage = flag(v, n);
  },
  'usage-chunk-id': (v, f, n) => {
    f.usageChunkId = flag(v, n);
  },
  'no-role-on-tool-stream': (v, f, n) => {
    f.noRoleOnToolStream = flag(v, n);
  },
  'lenient-sampling': (v, f, n) => {
    f.lenientSampling = flag(v, n);
  },
  'accept-unknown-role': (v, f, n) => {
    f.acceptUnknownRole = flag(v, n);
  },
  'no-developer-role': (v, f, n) => {
    f.noDeveloperRole = flag(v, n);
  },
  'models-any-id': (v, f, n) => {
    f.modelsAnyId = flag(v, n);
  },
  'no-cors': (v, f, n) => {
    f.noCors = flag(v, n);
  },
  'error-shape': (v, f, n) => {
    if (v !== 'express' && v !== 'fastapi' && v !== 'string') {
      throw new FaultSpecError(`fault ${n} must be express, fastapi or string`);
    }
    f.errorShape = v;
  },
  'numeric-error-code': (v, f, n) => {
    f.numericErrorCode = flag(v, n);
  },
  'ignore-required': (v, f, n) => {
    f.ignoreRequired = flag(v, n);
  },
  'no-role': (v, f, n) => {
    f.noRole = flag(v, n);
  },
  'double-finish': (v, f, n) => {
    f.doubleFinish = flag(v, n);
  },
  'no-usage-chunk': (v, f, n) => {
    f.noUsageChunk = flag(v, n);
  },
  'frames-after-done': (v, f, n) => {
    f.framesAfterDone = flag(v, n);
  },
  'no-progress': (v, f, n) => {
    f.noProgress = flag(v, n);
  },
  'progress-backwards': (v, f, n) => {
    f.progressBackwards = flag(v, n);
  },
  'reject-as-completed': (v, f, n) => {
    f.rejectAsCompleted = flag(v, n);
  },
  'run-on-reject': (v, f, n) => {
    f.runOnReject = flag(v, n);
  },
  'rerun-decided': (v, f, n) => {
    f.rerunDecided = flag(v, n);
  },
  'any-user-approves': (v, f, n) => {
    f.anyUserApproves = flag(v, n);
  },
  'shared-session-memory': (v, f, n) => {
    f.sharedSessionMemory = flag(v, n);
  },
  'store-without-session': (v, f, n) => {
    f.storeWithoutSession = flag(v, n);
  },
  'ignore-idempotency-key': (v, f, n) => {
    f.ignoreIdempotencyKey = flag(v, n);
  },
  'ingest-without-session': (v, f, n) => {
    f.ingestWithoutSession = flag(v, n);
  },
  'files-any-user': (v, f, n) => {
    f.filesAnyUser = flag(v, n);
  },
  'body-limit': (v, f, n) => {
    f.bodyLimit = integer(v, n, 0, MAX_BODY_LIMIT);
  },
  'accept-any-key': (v, f, n) => {
    f.acceptAnyKey = flag(v, n);
  },
  'pause-as-completed': (v, f, n) => {
    f.pauseAsCompleted = flag(v, n);
  },
  'accept-unknown-approval': (v, f, n) => {
    f.acceptUnknownApproval = flag(v, n);
  },
  'bad-file-object': (v, f, n) => {
    f.badFileObject = flag(v, n);
  },
  'sequence-gap': (v, f, n) => {
    f.sequenceGap = flag(v, n);
  },
  'item-done-without-added': (v, f, n) => {
    f.itemDoneWithoutAdded = flag(v, n);
  },
  'lost-text-delta': (v, f, n) => {
    f.lostTextDelta = flag(v, n);
  },
  'duplicate-output-id': (v, f, n) => {
    f.duplicateOutputId = flag(v, n);
  },
  'changing-response-id': (v, f, n) => {
    f.changingResponseId = flag(v, n);
  },
  'hide-mcp-calls': (v, f, n) => {
    f.hideMcpCalls = flag(v, n);
  },
  'ignore-unknown-previous': (v, f, n) => {
    f.ignoreUnknownPrevious = flag(v, n);
  },
  'bad-response-object': (v, f, n) => {
    f.badResponseObject = flag(v, n);
  },
};

/** Every fault name the grammar knows, in catalogue order. */
export const FAULT_NAMES: readonly string[] = Object.keys(PARSERS);

/** Parses a fault spec; throws a `FaultSpecError` naming the bad item. An empty spec is no fault. */
export function parseFaultSpec(spec: string): FaultSet {
  const faults: FaultSet = {};
  for (const item of spec.split(';')) {
    const text = item.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    const name = (eq === -1 ? text : text.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? undefined : text.slice(eq + 1).trim();
    // Own names only: `__proto__`, `constructor` or `toString` are unknown faults, not Object's members.
    const parse = Object.hasOwn(PARSERS, name) ? PARSERS[name] : undefined;
    if (!parse) {
      throw new FaultSpecError(
        `unknown fault ${JSON.stringify(name)}: expected one of ${FAULT_NAMES.join(', ')}`,
      );
    }
    parse(value, faults, name);
  }
  return faults;
}

export const NO_FAULTS: Readonly<FaultSet> = Object.freeze({});

export const isEmptyFaultSet = (faults: FaultSet): boolean => {
  for (const _ in faults) return false;
  return true;
};
