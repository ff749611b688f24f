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

export class MemoryApprovalStore implements ApprovalStore {
  readonly #byId = new Map<string, PendingApproval>();

  put(approval: PendingApproval): void {
    this.#byId.set(approval.id, { ...approval });
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
}
