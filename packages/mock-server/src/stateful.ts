import { DEMO_SERVER_TOOLS } from './demo';
import { installMemory } from './memory/hooks';
import { type Ledger, MemoryLedger } from './memory/ledger';
import type { ServerState } from './state';
import { type ApprovalStore, MemoryApprovalStore } from './tools/approval-store';
import { installServerTools } from './tools/hooks';
import { ServerTools } from './tools/registry';
import { serverToolSchema } from './tools/schema';

/** The stateful parts of a server: memory, server tools and approvals (files and runs are in `state`). */
export interface StatefulParts {
  ledger: Ledger;
  tools: ServerTools;
  approvals: ApprovalStore;
}

/** Builds memory, server tools and approvals and plugs them into the turn engine. */
export function installStateful(
  state: ServerState,
  stores: { ledger?: Ledger; approvals?: ApprovalStore } = {},
): StatefulParts {
  const configured = state.config.input.serverTools;
  const tools = new ServerTools(configured ?? DEMO_SERVER_TOOLS.map((tool) => serverToolSchema.parse(tool)));
  const parts: StatefulParts = {
    ledger: stores.ledger ?? new MemoryLedger(),
    tools,
    approvals: stores.approvals ?? new MemoryApprovalStore(),
  };
  // Approvals decide before memory retrieval matters; memory prepares the context first either way.
  installMemory(state, parts.ledger);
  installServerTools(state, tools, parts.approvals);
  state.resetHandlers.push(() => {
    parts.ledger.clear();
    parts.approvals.clear();
    tools.clearExecutions();
  });
  return parts;
}
