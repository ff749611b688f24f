import { DIALECT_NAMES, DIALECTS, type Dialect, type DialectName } from '@threadline/protocol';
import type { Capability } from './runner/types';

/** What every OpenAI-compatible server promises. */
const OPENAI_BASE: readonly Capability[] = ['chat', 'streaming', 'sampling', 'models', 'errors', 'tools'];

/**
 * What each dialect declares. Header names and the auth scheme come from protocol's DIALECTS; the
 * feature list is what each server family documents, so `--dialect openai` checks a plain
 * OpenAI-compatible server without failing it on memory, approvals or files it never promised.
 */
const FEATURES: Readonly<Record<DialectName, readonly Capability[]>> = {
  threadline: [
    ...OPENAI_BASE,
    'health',
    'stream-errors',
    'tool-choice-validation',
    'approvals',
    'memory-session',
    'memory-thread',
    'ingest',
    'files',
    'runs',
    'limits',
    'cancel',
    'progress',
    'responses',
    'responses-websocket',
  ],
  ice: [...OPENAI_BASE, 'health', 'memory-session', 'ingest'],
  ingram: [
    ...OPENAI_BASE,
    'stream-errors',
    'tool-choice-validation',
    'approvals',
    'memory-thread',
    'files',
    'limits',
    'cancel',
    'responses',
  ],
  spice: [...OPENAI_BASE, 'progress'],
  // OpenAI's own API serves /v1/responses too, but `--dialect openai` is how generic chat-only
  // OpenAI-compatible servers are checked: most serve no Responses door, so it is not promised here
  // (declare `"capabilities": {"responses": true}` in the config file for a server that has one).
  // OpenAI's own API refuses a tool_choice without tools or naming an unknown tool (invalid_tool_choice).
  openai: [...OPENAI_BASE, 'tool-choice-validation'],
};

export interface Profile {
  dialect: Dialect;
  capabilities: readonly Capability[];
}

/** The profile of a dialect: its header table plus declared capabilities (`auth` when it has a scheme). */
export function profileFor(name: DialectName): Profile {
  const dialect = DIALECTS[name];
  const capabilities = [...FEATURES[name]];
  if (dialect.auth !== 'none') capabilities.push('auth');
  if (dialect.browser) capabilities.push('cors');
  // Session and thread memory are only checkable when the dialect names the header that carries them.
  return {
    dialect,
    capabilities: capabilities.filter(
      (c) =>
        (c !== 'memory-session' || dialect.memory.sessionHeader !== null) &&
        (c !== 'memory-thread' || dialect.memory.threadHeader !== null) &&
        (c !== 'progress' || dialect.progress !== null),
    ),
  };
}

export const PROFILES: Readonly<Record<DialectName, Profile>> = Object.fromEntries(
  DIALECT_NAMES.map((name) => [name, profileFor(name)]),
) as Record<DialectName, Profile>;
