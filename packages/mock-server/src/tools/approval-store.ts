import { BoundedMap, type MeteredStore, type StoreCap, type StoreUsage } from '../state/bounded';
import { DEFAULT_STORE_CAPS } from '../state/limits';

/** An approval pause: a destructive server tool call waiting for (or having had) a decision. */
export interface PendingApproval {
  /** `<run_id>::<tool_call_id>`. */
  id: string;
  owner: string;
  runId: string;
  tool: string;
  /** JSON-encoded arguments, as sent in the tool call. */
  arguments: string;
  /** `cancelled`: the paused run's stream was dropped before the pause was delivered. */
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  /** Unix seconds. */
  createdAt: number;
  decidedAt: number | null;
}

export interface ApprovalStore {
  put(approval: PendingApproval): void;
  /** The approval if it exists and belongs to `owner` (null: any owner, for the any-user-approves fault). */
  get(id: string, owner: string | null): PendingApproval | undefined;
  decide(id: string, status: Exclude<PendingApproval['status'], 'pending'>, at: number): void;
  clear(): void;
}

/** Approvals in memory, bounded by count and bytes; the oldest are evicted first (then unknown ids). */
export class MemoryApprovalStore implements ApprovalStore, MeteredStore {
  readonly #byId: BoundedMap<PendingApproval>;

  constructor(cap: StoreCap = DEFAULT_STORE_CAPS.approvals) {
    this.#byId = new BoundedMap(cap);
  }

  put(approval: PendingApproval): void {
    const bytes = 128 + approval.id.length + approval.owner.length + approval.tool.length;
    this.#byId.set(approval.id, { ...approval }, bytes + approval.arguments.length);
  }

  get(id: string, owner: string | null): PendingApproval | undefined {
    const approval = this.#byId.get(id);
    return approval && (owner === null || approval.owner === owner) ? { ...approval } : undefined;
  }

  decide(id: string, status: Exclude<PendingApproval['status'], 'pending'>, at: number): void {
    const approval = this.#byId.get(id);
    if (approval) Object.assign(approval, { status, decidedAt: at });
  }

  clear(): void {
    this.#byId.clear();
  }

  usage(): StoreUsage {
    return this.#byId.usage();
  }
}
