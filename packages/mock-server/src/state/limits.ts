import type { StoreCap } from './bounded';

const MiB = 1024 * 1024;

/** The in-memory stores with caps; `storeLimits` in the config overrides any of them. */
export const STORE_NAMES = [
  'runs',
  'journal',
  'files',
  'memory',
  'idempotency',
  'approvals',
  'toolRuns',
  'responses',
] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/**
 * Default caps (about 356 MiB in all). Past either cap a store evicts its oldest entries; fixtures and
 * queued faults are refused instead (see FIXTURE_CAP, FAULT_QUEUE_CAP), as dropping one would silently
 * change what a test scripted.
 */
export const DEFAULT_STORE_CAPS: Readonly<Record<StoreName, Readonly<StoreCap>>> = {
  runs: { maxCount: 10_000, maxBytes: 64 * MiB },
  journal: { maxCount: 1_000, maxBytes: 32 * MiB },
  files: { maxCount: 10_000, maxBytes: 128 * MiB },
  memory: { maxCount: 100_000, maxBytes: 64 * MiB },
  /** The Idempotency-Keys of stateful turns: a key forgotten here stores its next resend again. */
  idempotency: { maxCount: 10_000, maxBytes: 4 * MiB },
  approvals: { maxCount: 10_000, maxBytes: 16 * MiB },
  toolRuns: { maxCount: 10_000, maxBytes: 16 * MiB },
  /** Stored responses: a response is continued only while its run is kept, so as many as runs. */
  responses: { maxCount: 10_000, maxBytes: 32 * MiB },
};

/** Fixtures added through the control route (configured ones do not count). */
export const FIXTURE_CAP: Readonly<StoreCap> = { maxCount: 10_000, maxBytes: 64 * MiB };

/** One-shot faults waiting in the queue, each spec at most MAX_QUEUED_FAULT_SPEC characters (4 MiB). */
export const FAULT_QUEUE_CAP: Readonly<StoreCap> = { maxCount: 1_000, maxBytes: 4 * MiB };
export const MAX_QUEUED_FAULT_SPEC = 4096;

export type StoreLimits = Record<StoreName, StoreCap>;

/** The defaults with the configured overrides laid over them. */
export function resolveStoreLimits(
  configured: Partial<Record<StoreName, Partial<StoreCap>>> | undefined,
): StoreLimits {
  const out = {} as StoreLimits;
  for (const name of STORE_NAMES) out[name] = { ...DEFAULT_STORE_CAPS[name], ...configured?.[name] };
  return out;
}
