import type { FetchFunction } from '@ai-sdk/provider-utils';
import type { Dialect } from '@threadline/protocol';
import type { IdempotencyKeys } from './idempotency';

/** Memory and identity of a call: what the provider's settings default and a call's options override. */
export interface ThreadlineScope {
  sessionId?: string;
  userId?: string;
  threadId?: string;
  agentId?: string;
  /** The body's `user` field (names the agent for a tenant-admin token on Ingram-style dialects). */
  user?: string;
  apiVersion?: string;
}

/** What a model of either door needs from the provider that made it. */
export interface ThreadlineModelConfig {
  /** `threadline.chat` or `threadline.responses`. */
  provider: string;
  /** Full URL of an API path such as `/chat/completions`. */
  url(path: string): string;
  /** Provider-level headers (auth, the provider's own `headers` setting); read at call time. */
  headers(): Record<string, string | undefined>;
  dialect: Dialect;
  defaults: ThreadlineScope;
  fetch?: FetchFunction;
  /** The provider's Idempotency-Keys, shared by its models (one key per call, new once a call finished). */
  idempotency: IdempotencyKeys;
}
