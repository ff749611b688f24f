export type { Identity } from './auth/identity';
export {
  type BunSocket,
  type BunSocketData,
  type BunUpgrader,
  type BunWebSocketHandlers,
  bunWebSocket,
} from './bun-websocket';
export {
  ConfigError,
  DEFAULT_INSTRUCTIONS,
  DEFAULT_MODELS,
  type MockServerConfig,
  mockServerConfigSchema,
  type ResolvedConfig,
} from './config';
export { loadConfigFile } from './config-file';
export {
  createDemoServerTools,
  DEMO_DOCUMENT,
  DEMO_DRAFTS,
  DEMO_FAILING_ORDER,
  DEMO_FAILING_PROMPT,
  DEMO_SERVER_TOOLS,
  DemoDrafts,
} from './demo';
export { DEMO_BUCKET, DEMO_ESCAPING_LINK, type DemoLayout, layOutDemo } from './demo/layout';
export type { Decision, Reply, Turn, TurnDoor, TurnRequest } from './engine/types';
export { FAULT_NAMES, type FaultSet, FaultSpecError, parseFaultSpec } from './faults/parse';
export type { QueuedFault } from './faults/queue';
export type { Ledger, LedgerEntry, NewLedgerEntry } from './memory/ledger';
export { INSTRUCTIONS_PROMPT } from './model/deterministic';
export type { Fixture } from './model/fixture-schema';
export { FixtureError, type ListedFixture } from './model/fixtures';
export {
  MAX_EXAMPLE_CHARS,
  MAX_EXAMPLE_DEPTH,
  MAX_EXAMPLE_ITEMS,
  MAX_EXAMPLE_NODES,
  MAX_EXAMPLE_PROPERTIES,
  MAX_EXAMPLE_STRING,
  MAX_HINT_SEARCHES,
  MAX_HINT_TEXT,
  MAX_SCHEMA_HOPS,
  MAX_SCHEMA_LIST,
} from './model/schema-example';
export { countTokens, splitTokens } from './model/tokens';
export {
  createNodeListener,
  type ListenOptions,
  listen,
  type RunningServer,
  type StartOptions,
  start,
} from './node';
export {
  type ConformanceDiscovery,
  DEMO_CONFORMANCE_PROMPTS,
  DISCOVERY_PATH,
} from './routes/discovery';
export { createMockServer, type MockServer } from './server';
export type { JournalEntry, ServerState, TurnHooks } from './state';
export { DOWNLOAD_PIECE_BYTES } from './stream/download';
export type { ApprovalStore, PendingApproval } from './tools/approval-store';
export type { ServerTools, ToolExecution } from './tools/registry';
export type { ServerToolConfig, ServerToolContext, ServerToolImplementation } from './tools/schema';
