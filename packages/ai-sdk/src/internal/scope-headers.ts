import type { SharedV4Warning } from '@ai-sdk/provider';
import type { ThreadlineModelConfig, ThreadlineScope } from './config';
import type { ThreadlineProviderOptions } from './options';

export interface ScopeHeaders {
  /** Memory, identity and version headers of the call, lower-case names, then per-call headers. */
  headers: Record<string, string>;
  /** The merged scope (call options over provider defaults), for the body's `user` and the thread rule. */
  scope: ThreadlineScope;
  warnings: SharedV4Warning[];
}

type HeaderScopeKey = Exclude<keyof ThreadlineScope, 'user'>;

/**
 * Maps the call's scope to the dialect's header names. A value the dialect has no header for is an
 * `unsupported` warning: sending it under another family's name would be silently ignored by the server.
 * Per-call headers (the call's `headers` argument, then `providerOptions.threadline.headers`) win.
 */
export function scopeHeaders(
  config: Pick<ThreadlineModelConfig, 'dialect' | 'defaults'>,
  options: ThreadlineProviderOptions,
  callHeaders?: Record<string, string | undefined>,
): ScopeHeaders {
  const { dialect } = config;
  const scope: ThreadlineScope = { ...config.defaults };
  for (const key of ['sessionId', 'userId', 'threadId', 'agentId', 'user', 'apiVersion'] as const) {
    const value = options[key];
    if (value !== undefined) scope[key] = value;
  }
  const names: Record<HeaderScopeKey, string | null> = {
    sessionId: dialect.memory.sessionHeader,
    userId: dialect.memory.userHeader,
    threadId: dialect.memory.threadHeader,
    agentId: dialect.identity.agentHeader,
    apiVersion: dialect.versionHeader,
  };
  const headers: Record<string, string> = {};
  const warnings: SharedV4Warning[] = [];
  for (const key of Object.keys(names) as HeaderScopeKey[]) {
    const value = scope[key];
    if (value === undefined) continue;
    const name = names[key];
    if (name === null) {
      warnings.push({
        type: 'unsupported',
        feature: `providerOptions.threadline.${key}`,
        details: `the ${dialect.name} dialect has no header for ${key}; it was not sent`,
      });
      continue;
    }
    headers[name] = value;
  }
  for (const extra of [callHeaders, options.headers]) {
    for (const [name, value] of Object.entries(extra ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
  }
  return { headers, scope, warnings };
}
