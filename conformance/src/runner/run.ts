import { DIALECT_NAMES, type DialectName, isDialectName } from '@threadline/protocol';
import { CATALOGUE } from '../checks/index';
import { createHttpClient, describeError } from '../internal/http';
import { profileFor } from '../profiles';
import { applyBaseline } from './baseline';
import type { RunState } from './context';
import { type NotServed, readDiscovery } from './discovery';
import { startEmbedded } from './embedded';
import { ConformanceConfigError, ServerUnreachableError } from './errors';
import { executeCheck } from './execute';
import { blockedBy, executionOrder, newVerdicts } from './prerequisites';
import { matchesFilter, pool, type Shard, selectShard } from './select';
import {
  CAPABILITIES,
  type Capability,
  type Check,
  type CheckResult,
  type ConformanceReport,
  type Fixtures,
  type Summary,
} from './types';

export interface ConformanceOptions {
  /** The server root. Absent: the embedded reference server is started on a free port and closed after. */
  baseUrl?: string;
  /**
   * Sent as `Authorization: Bearer …` (an API key or an agent token). With the embedded server: the key
   * it accepts (default: one generated for the run).
   */
  apiKey?: string;
  /** Which server family's profile to check against; default `threadline`. */
  dialect?: DialectName;
  /** The model chat checks name; default: `fixtures.model`, else the first of GET /v1/models. */
  model?: string;
  /** Overrides of the dialect profile: `{approvals: true}` declares, `{files: false}` undeclares. */
  capabilities?: Partial<Record<Capability, boolean>>;
  fixtures?: Fixtures;
  /** Check ids, id prefixes (`chat.stream`), capabilities or families; empty: every check. */
  filter?: readonly string[];
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Ids of checks expected to fail (see loadBaseline). */
  baseline?: readonly string[];
  shard?: Shard;
  /** Checks in flight at once; default 4. */
  concurrency?: number;
  /** Per-check time limit in milliseconds; default 10000. */
  timeoutMs?: number;
  /** The catalogue to run; default the whole built-in one. */
  checks?: readonly Check[];
  /**
   * Read the server's discovery document (GET /.well-known/threadline-conformance.json) for fixtures the
   * options lack and the capabilities it does not serve; default true. Not read from the embedded server.
   */
  discovery?: boolean;
  /** Called once the checks are chosen, before any runs. */
  onStart?: (info: { total: number; baseUrl: string }) => void;
  /** Called as each check finishes. */
  onResult?: (result: CheckResult, done: number, total: number) => void;
  /**
   * Stops the run: checks in flight are aborted and no more start, the embedded server is closed and its
   * temporary directory removed, and `runConformance` rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

function validate(options: ConformanceOptions): void {
  if (options.dialect !== undefined && !isDialectName(options.dialect)) {
    throw new ConformanceConfigError(
      `unknown dialect '${options.dialect}': one of ${DIALECT_NAMES.join(', ')}`,
    );
  }
  if (options.baseUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ConformanceConfigError(`invalid base URL '${options.baseUrl}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConformanceConfigError(`base URL must be http(s): '${options.baseUrl}'`);
    }
  }
  for (const name of Object.keys(options.capabilities ?? {})) {
    if (!(CAPABILITIES as readonly string[]).includes(name)) {
      throw new ConformanceConfigError(`unknown capability '${name}': one of ${CAPABILITIES.join(', ')}`);
    }
  }
  const { shard, concurrency, timeoutMs } = options;
  if (
    shard &&
    !(Number.isInteger(shard.count) && shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count)
  ) {
    throw new ConformanceConfigError(
      `invalid shard ${shard.index}/${shard.count}: expected i/n with 1 ≤ i ≤ n`,
    );
  }
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ConformanceConfigError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new ConformanceConfigError(`timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  const catalogue = options.checks ?? CATALOGUE;
  const known = new Set(catalogue.map((c) => c.id));
  const unknown = (options.baseline ?? []).filter((id) => !known.has(id));
  if (unknown.length)
    throw new ConformanceConfigError(`baseline names unknown check ids: ${unknown.join(', ')}`);
  // A mistyped term would otherwise select nothing and pass the run in CI.
  const idle = (options.filter ?? []).filter((term) => !catalogue.some((c) => matchesFilter(c, [term])));
  if (idle.length) {
    throw new ConformanceConfigError(
      `filter matches no check: ${idle.join(', ')} (ids, id prefixes, capabilities or families; --list shows them)`,
    );
  }
}

export function summarize(results: readonly CheckResult[], durationMs: number): Summary {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  const stale = count('stale');
  return {
    passed: count('passed'),
    failed: count('failed') + stale,
    skipped: count('skipped'),
    blocked: count('blocked'),
    warnings: count('warning'),
    baselined: count('baselined'),
    stale,
    total: results.length,
    durationMs,
  };
}

/**
 * What the discovery document says the server does not serve and the run does not declare (today:
 * auth, when the server's mode is `none`): its checks are left out instead of skipped. A capability the
 * profile or the caller declares stays: a server of a dialect that promises auth must keep it.
 */
function servedBy(discovery: { auth: string | null } | null, capabilities: Set<Capability>): NotServed[] {
  if (discovery?.auth !== 'none' || capabilities.has('auth')) return [];
  return [{ capability: 'auth', reason: 'the server runs without auth (its discovery document says so)' }];
}

/** A check of a capability the server does not serve is left out of the run, not skipped. */
const needsUnserved = (check: Check, notServed: readonly NotServed[]): boolean =>
  notServed.some((n) => check.capability === n.capability || check.requires?.includes(n.capability));

/** The result of a check that threw `CheckBlocked`: blocked when its prerequisite broke in this run. */
async function decideBlocked(
  outcome: { result: CheckResult; blockedBy?: string },
  id: string,
  verdicts: RunState['verdicts'],
): Promise<CheckResult> {
  if (!outcome.blockedBy) return outcome.result;
  const root = await blockedBy(outcome.blockedBy, id, verdicts);
  if (!root) return outcome.result;
  const { result } = outcome;
  return { ...result, status: 'blocked', blockedBy: root, message: `blocked by ${root}: ${result.message}` };
}

/** Asks the server for its models: proves it is reachable and picks a model when none was given. */
async function probe(state: Pick<RunState, 'http' | 'timeoutMs' | 'stop'>): Promise<string | null> {
  const limit = AbortSignal.timeout(state.timeoutMs);
  let response: Response;
  try {
    ({ response } = await state.http.open(
      { path: '/v1/models' },
      state.stop ? AbortSignal.any([limit, state.stop]) : limit,
    ));
  } catch (error) {
    state.stop?.throwIfAborted();
    const why = limit.aborted
      ? `GET /v1/models got no answer within ${state.timeoutMs} ms; --timeout sets the limit`
      : describeError(error);
    throw new ServerUnreachableError(`server unreachable: ${state.http.baseUrl} (${why})`);
  }
  const body = (await response.json().catch(() => null)) as { data?: Array<{ id?: unknown }> } | null;
  const first = response.ok ? body?.data?.[0]?.id : undefined;
  return typeof first === 'string' ? first : null;
}

/** The model chat checks name: `--model`, else the config's, else the first the server lists, else its default. */
function chooseModel(
  option: string | undefined,
  configured: string | undefined,
  listed: string | null,
): ConformanceReport['model'] {
  if (option !== undefined) return { id: option, source: 'option' };
  if (configured !== undefined) return { id: configured, source: 'config' };
  if (listed !== null) return { id: listed, source: 'models-list' };
  return { id: '', source: 'server-default' };
}

/**
 * Runs the suite and returns every result. Throws `ConformanceConfigError` for bad options and
 * `ServerUnreachableError` when the server does not answer at all; a failing check is a result.
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  validate(options);
  const stop = options.signal;
  stop?.throwIfAborted();
  const started = performance.now();
  const embedded = options.baseUrl === undefined ? await startEmbedded({ apiKey: options.apiKey }) : null;
  try {
    stop?.throwIfAborted();
    const dialectName = options.dialect ?? 'threadline';
    const profile = profileFor(dialectName);
    const capabilities = new Set<Capability>(profile.capabilities);
    for (const capability of embedded?.declared ?? []) capabilities.add(capability);
    for (const [name, on] of Object.entries(options.capabilities ?? {})) {
      if (on) capabilities.add(name as Capability);
      else capabilities.delete(name as Capability);
    }
    const token = embedded?.apiKey ?? options.apiKey;
    const withheld = new Map<Capability, string>();
    const credentialHeader = Object.keys(options.headers ?? {}).some(
      (h) => h.toLowerCase() === 'authorization',
    );
    const http = createHttpClient({
      baseUrl: options.baseUrl ?? embedded!.running.url,
      token,
      headers: options.headers,
    });
    const timeoutMs = options.timeoutMs ?? 10_000;
    const discovery =
      embedded === null && options.discovery !== false ? await readDiscovery(http, timeoutMs, stop) : null;
    const notServed = servedBy(discovery, capabilities);
    // Without credentials an open server (a local vLLM, Ollama or mock) cannot be told from one that
    // wrongly lets strangers in, so the 401 checks would fail servers that never promised auth.
    if (capabilities.has('auth') && !token && !credentialHeader && options.capabilities?.auth !== true) {
      capabilities.delete('auth');
      withheld.set(
        'auth',
        'no credentials given (--api-key/--token); declare it in --config to check anyway',
      );
    }
    const fixtures: Fixtures = { ...embedded?.fixtures, ...discovery?.fixtures, ...options.fixtures };
    const found = await probe({ http, timeoutMs, stop });
    const model = chooseModel(options.model, fixtures.model, found);
    const state: RunState = {
      http,
      dialect: profile.dialect,
      capabilities,
      withheld,
      fixtures,
      model: model.id,
      timeoutMs,
      shared: new Map(),
      runTag: Math.random().toString(36).slice(2, 8),
      counter: { next: 0 },
      verdicts: newVerdicts().verdicts,
      ...(stop ? { stop } : {}),
    };
    const chosen = selectShard(
      (options.checks ?? CATALOGUE).filter(
        (check) => matchesFilter(check, options.filter ?? []) && !needsUnserved(check, notServed),
      ),
      options.shard,
    );
    options.onStart?.({ total: chosen.length, baseUrl: http.baseUrl });
    const baseline = new Set(options.baseline ?? []);
    let done = 0;
    // Prerequisites start first; the report keeps the id order of `chosen`.
    const order = executionOrder(chosen);
    const { verdicts, settle } = newVerdicts(chosen);
    state.verdicts = verdicts;
    const finals: Array<Promise<CheckResult>> = [];
    await pool(order, options.concurrency ?? 4, async (check) => {
      const outcome = await executeCheck(check, state);
      // A blocked check's verdict waits for its prerequisite's, outside the pool: no slot is held.
      const final = decideBlocked(outcome, check.id, verdicts).then((r) => {
        const result = applyBaseline(r, baseline);
        options.onResult?.(result, ++done, chosen.length);
        return result;
      });
      settle(check.id, final);
      finals.push(final);
    });
    const byId = new Map((await Promise.all(finals)).map((r) => [r.id, r]));
    const results = chosen.map((check) => byId.get(check.id)!);
    const summary = summarize(results, Math.round(performance.now() - started));
    return {
      baseUrl: http.baseUrl,
      dialect: dialectName,
      embedded: embedded !== null,
      model,
      capabilities: CAPABILITIES.filter((c) => capabilities.has(c)),
      notServed,
      discovery: discovery?.url ?? null,
      results,
      summary,
      exitCode: summary.failed > 0 ? 1 : 0,
    };
  } finally {
    await embedded?.close();
  }
}
