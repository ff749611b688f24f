import type { RunStatus, Usage } from '@threadline/protocol';
import { runStatusSchema, stopReasonSchema } from '@threadline/protocol/schemas';
import type { RingColumns } from './ring';
import type { StoredRun } from './runs';

// Ended runs, packed one place per run across columns: numbers in typed arrays, strings and shared
// arrays by reference. A kept run is then no object of its own; ten thousand of them are a few arrays
// the collector moves once, instead of tens of thousands of objects every scavenge copies and promotes.

const STATUSES: readonly RunStatus[] = runStatusSchema.options;
const STOP_REASONS: readonly (string | null)[] = [null, ...stopReasonSchema.options];

/** A packed run's keys, in the order the engine writes them (and a run read back has them). */
const RUN_KEYS = [
  'id',
  'object',
  'status',
  'stop_reason',
  'model',
  'created_at',
  'completed_at',
  'usage',
  'tool_calls',
  'file_ids',
  'owner',
  'instructions',
] as const;
const USAGE_KEYS = [
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'prompt_tokens_details',
  'completion_tokens_details',
] as const;

/** True when `value`'s own keys are `keys`, in order (a trailing run of them may be missing). */
function hasKeysInOrder(value: object, keys: readonly string[], required: number): boolean {
  let i = 0;
  for (const key in value) {
    if (key !== keys[i]) return false;
    i++;
  }
  return i >= required;
}

/** Usage the columns can hold: whole counts and the engine's keys, in its order. */
function packableUsage(usage: Usage): boolean {
  return (
    hasKeysInOrder(usage, USAGE_KEYS, 3) &&
    Number.isSafeInteger(usage.prompt_tokens) &&
    Number.isSafeInteger(usage.completion_tokens) &&
    Number.isSafeInteger(usage.total_tokens)
  );
}

/** Numbers, or NaN for null: the column for `completed_at` and the usage counts. */
const numberOrNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

export class RunColumns implements RingColumns<RunColumns> {
  /** A run's object while it is going (or when the columns cannot hold it); else undefined. */
  readonly #objects: Array<StoredRun | undefined>;
  readonly #status: Uint8Array;
  readonly #stopReason: Uint8Array;
  readonly #createdAt: Float64Array;
  readonly #completedAt: Float64Array;
  /** NaN when the run has no usage. */
  readonly #promptTokens: Float64Array;
  readonly #completionTokens: Float64Array;
  readonly #totalTokens: Float64Array;
  readonly #promptDetails: Array<Usage['prompt_tokens_details']>;
  readonly #completionDetails: Array<Usage['completion_tokens_details']>;
  readonly #model: string[];
  readonly #owner: string[];
  readonly #instructions: Array<string | undefined>;
  readonly #toolCalls: Array<StoredRun['tool_calls']>;
  readonly #fileIds: string[][];

  constructor(capacity: number) {
    this.#objects = new Array(capacity);
    this.#status = new Uint8Array(capacity);
    this.#stopReason = new Uint8Array(capacity);
    this.#createdAt = new Float64Array(capacity);
    this.#completedAt = new Float64Array(capacity);
    this.#promptTokens = new Float64Array(capacity);
    this.#completionTokens = new Float64Array(capacity);
    this.#totalTokens = new Float64Array(capacity);
    this.#promptDetails = new Array(capacity);
    this.#completionDetails = new Array(capacity);
    this.#model = new Array(capacity);
    this.#owner = new Array(capacity);
    this.#instructions = new Array(capacity);
    this.#toolCalls = new Array(capacity);
    this.#fileIds = new Array(capacity);
  }

  /** Keeps `run` at place `at`: packed once it ended, as its object while it is going. */
  keep(at: number, run: StoredRun): void {
    if (run.status !== 'in_progress' && this.#pack(at, run)) {
      this.#objects[at] = undefined;
    } else {
      this.release(at);
      this.#objects[at] = run;
    }
  }

  /** The run at `at`: its object, or a new one read from the columns. */
  runAt(at: number, id: string): StoredRun {
    return this.#objects[at] ?? this.#unpack(at, id);
  }

  /** Writes `run` into place `at`; false (nothing written) when its shape is not one the columns hold. */
  #pack(at: number, run: StoredRun): boolean {
    const status = STATUSES.indexOf(run.status);
    const stopReason = STOP_REASONS.indexOf(run.stop_reason);
    const { usage } = run;
    if (
      status === -1 ||
      stopReason === -1 ||
      run.object !== 'run' ||
      !hasKeysInOrder(run, RUN_KEYS, RUN_KEYS.length) ||
      !Number.isFinite(run.created_at) ||
      !(run.completed_at === null || Number.isFinite(run.completed_at)) ||
      !(usage === null || packableUsage(usage)) ||
      typeof run.model !== 'string' ||
      !(run.instructions === undefined || typeof run.instructions === 'string')
    ) {
      return false;
    }
    this.#status[at] = status;
    this.#stopReason[at] = stopReason;
    this.#createdAt[at] = run.created_at;
    this.#completedAt[at] = run.completed_at ?? Number.NaN;
    this.#promptTokens[at] = usage?.prompt_tokens ?? Number.NaN;
    this.#completionTokens[at] = usage?.completion_tokens ?? Number.NaN;
    this.#totalTokens[at] = usage?.total_tokens ?? Number.NaN;
    this.#promptDetails[at] = usage?.prompt_tokens_details;
    this.#completionDetails[at] = usage?.completion_tokens_details;
    this.#model[at] = run.model;
    this.#owner[at] = run.owner;
    this.#instructions[at] = run.instructions;
    this.#toolCalls[at] = run.tool_calls;
    this.#fileIds[at] = run.file_ids;
    return true;
  }

  ownerAt(at: number): string {
    return this.#objects[at]?.owner ?? this.#owner[at]!;
  }

  /** The run packed at `at`, as a new object with the keys in the engine's order. */
  #unpack(at: number, id: string): StoredRun {
    return {
      id,
      object: 'run',
      status: STATUSES[this.#status[at]!]!,
      stop_reason: STOP_REASONS[this.#stopReason[at]!] as StoredRun['stop_reason'],
      model: this.#model[at]!,
      created_at: this.#createdAt[at]!,
      completed_at: numberOrNull(this.#completedAt[at]!),
      usage: this.#usageAt(at),
      tool_calls: this.#toolCalls[at]!,
      file_ids: this.#fileIds[at]!,
      owner: this.#owner[at]!,
      instructions: this.#instructions[at],
    };
  }

  /** Lets go of what place `at` references (its numbers are simply overwritten later). */
  release(at: number): void {
    this.#objects[at] = undefined;
    this.#promptDetails[at] = undefined;
    this.#completionDetails[at] = undefined;
    this.#model[at] = undefined as unknown as string;
    this.#owner[at] = undefined as unknown as string;
    this.#instructions[at] = undefined;
    this.#toolCalls[at] = undefined as unknown as StoredRun['tool_calls'];
    this.#fileIds[at] = undefined as unknown as string[];
  }

  /** Copies place `from` of these columns to place `to` of `target` (when the ring grows). */
  copyTo(target: RunColumns, from: number, to: number): void {
    target.#objects[to] = this.#objects[from];
    target.#status[to] = this.#status[from]!;
    target.#stopReason[to] = this.#stopReason[from]!;
    target.#createdAt[to] = this.#createdAt[from]!;
    target.#completedAt[to] = this.#completedAt[from]!;
    target.#promptTokens[to] = this.#promptTokens[from]!;
    target.#completionTokens[to] = this.#completionTokens[from]!;
    target.#totalTokens[to] = this.#totalTokens[from]!;
    target.#promptDetails[to] = this.#promptDetails[from];
    target.#completionDetails[to] = this.#completionDetails[from];
    target.#model[to] = this.#model[from]!;
    target.#owner[to] = this.#owner[from]!;
    target.#instructions[to] = this.#instructions[from];
    target.#toolCalls[to] = this.#toolCalls[from]!;
    target.#fileIds[to] = this.#fileIds[from]!;
  }

  #usageAt(at: number): Usage | null {
    const prompt = this.#promptTokens[at]!;
    if (Number.isNaN(prompt)) return null;
    const usage: Usage = {
      prompt_tokens: prompt,
      completion_tokens: this.#completionTokens[at]!,
      total_tokens: this.#totalTokens[at]!,
    };
    const promptDetails = this.#promptDetails[at];
    const completionDetails = this.#completionDetails[at];
    if (promptDetails !== undefined) usage.prompt_tokens_details = promptDetails;
    if (completionDetails !== undefined) usage.completion_tokens_details = completionDetails;
    return usage;
  }
}
