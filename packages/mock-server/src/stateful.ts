import { createDemoServerTools, DEMO_FAILING_PROMPT, DemoDrafts } from './demo';
import { lastUserMessage } from './engine/view';
import { installMemory } from './memory/hooks';
import { type IdempotencyStore, MemoryIdempotencyStore } from './memory/idempotency';
import { type Ledger, MemoryLedger } from './memory/ledger';
import type { ServerState } from './state';
import { type ApprovalStore, MemoryApprovalStore } from './tools/approval-store';
import { installServerTools } from './tools/hooks';
import { ServerTools } from './tools/registry';
import { serverToolSchema } from './tools/schema';

/** The stateful parts of a server: memory, server tools and approvals (files and runs are in `state`). */
export interface StatefulParts {
  ledger: Ledger;
  /** The Idempotency-Keys of stateful turns, each with the ledger items its turn stored. */
  idempotency: IdempotencyStore;
  tools: ServerTools;
  approvals: ApprovalStore;
}

/** Builds memory, server tools and approvals and plugs them into the turn engine. */
export function installStateful(
  state: ServerState,
  stores: { ledger?: Ledger; approvals?: ApprovalStore; idempotency?: IdempotencyStore } = {},
): StatefulParts {
  const configured = state.config.input.serverTools;
  const drafts = new DemoDrafts();
  const tools = new ServerTools(
    configured ?? createDemoServerTools(drafts).map((tool) => serverToolSchema.parse(tool)),
    state.storeLimits.toolRuns,
  );
  if (configured === undefined) installDemoFailure(state);
  const parts: StatefulParts = {
    ledger: stores.ledger ?? new MemoryLedger(state.storeLimits.memory),
    idempotency: stores.idempotency ?? new MemoryIdempotencyStore(state.storeLimits.idempotency),
    tools,
    approvals: stores.approvals ?? new MemoryApprovalStore(state.storeLimits.approvals),
  };
  state.stores.set('memory', () => parts.ledger);
  state.stores.set('idempotency', () => parts.idempotency);
  state.stores.set('approvals', () => parts.approvals);
  state.stores.set('toolRuns', () => tools);
  // Approvals decide before memory retrieval matters; memory prepares the context first either way.
  installMemory(state, parts.ledger, parts.idempotency);
  installServerTools(state, tools, parts.approvals);
  state.resetHandlers.push(() => {
    parts.ledger.clear();
    parts.idempotency.clear();
    parts.approvals.clear();
    tools.clearExecutions();
    drafts.clear();
  });
  return parts;
}

/**
 * The demo set's failing prompt: its streamed turn breaks off with an error frame after two chunks, a
 * JSON turn is a 500 — so a suite can check stream errors on a server started with no configuration.
 */
function installDemoFailure(state: ServerState): void {
  state.hooks.decide.push((turn) => {
    if (turn.tools.length > 0 || lastUserMessage(turn.messages)?.text.trim() !== DEMO_FAILING_PROMPT)
      return null;
    return {
      text: 'This demo answer breaks off after two chunks.',
      error: { status: 500, afterChunks: 2 },
      source: 'demo',
    };
  });
}
