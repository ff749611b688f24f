import type { HttpClient } from '../internal/http';
import type { Capability, FixtureName, Fixtures } from './types';

/**
 * Where a server describes what it can be checked with (the reference server serves it; see
 * docs/conformance.md, "Discovery"). Public, no secrets: prompts, paths, the auth mode.
 */
export const DISCOVERY_PATH = '/.well-known/threadline-conformance.json';

const FIXTURE_NAMES: readonly FixtureName[] = [
  'model',
  'destructivePrompt',
  'failingPrompt',
  'ingestPath',
  'ingestUri',
  'ingestEscapingPath',
  'effectPrompt',
  'effectMarker',
];

export interface Discovery {
  /** The URL it was read from. */
  url: string;
  fixtures: Fixtures;
  /** The server's auth mode: `none` means anyone gets in, so credential checks do not apply. */
  auth: string | null;
}

/** A capability the server says it does not serve, and why: its checks are left out of the run. */
export interface NotServed {
  capability: Capability;
  reason: string;
}

/**
 * Reads the server's discovery document; null when it has none (any answer but 200 with the
 * document). Only the fields the runner knows are taken, each only when it is a non-empty string.
 */
export async function readDiscovery(
  http: HttpClient,
  timeoutMs: number,
  stop?: AbortSignal,
): Promise<Discovery | null> {
  const limit = AbortSignal.timeout(timeoutMs);
  try {
    const { response } = await http.open(
      { path: DISCOVERY_PATH, anonymous: true },
      stop ? AbortSignal.any([limit, stop]) : limit,
    );
    if (response.status !== 200) {
      await response.body?.cancel();
      return null;
    }
    const body = (await response.json()) as Record<string, unknown> | null;
    if (body?.object !== 'threadline.conformance') return null;
    const given = (body.fixtures ?? {}) as Record<string, unknown>;
    const fixtures: Fixtures = {};
    for (const name of FIXTURE_NAMES) {
      const value = given[name];
      if (typeof value === 'string' && value !== '') fixtures[name] = value;
    }
    return {
      url: `${http.baseUrl}${DISCOVERY_PATH}`,
      fixtures,
      auth: typeof body.auth === 'string' ? body.auth : null,
    };
  } catch {
    stop?.throwIfAborted();
    // Unreachable servers are the model probe's to report; here it only means "no discovery".
    return null;
  }
}
