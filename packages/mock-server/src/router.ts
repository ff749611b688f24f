import type { RequestContext, RouteParams } from './context';
import type { OutboundResponse } from './internal/wire';

export type RouteHandler = (
  ctx: RequestContext,
  params: RouteParams,
) => OutboundResponse | Promise<OutboundResponse>;

export interface RouteOptions {
  /** Control routes are exempt from fault injection and journalling. */
  control?: boolean;
  /** Discovery routes (the conformance document, the `/` page): public, exempt from faults and journalling. */
  discovery?: boolean;
}

export interface Route extends RouteOptions {
  method: string;
  pattern: string;
  handler: RouteHandler;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: RouteParams }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

interface PatternRoutes {
  segments: string[];
  byMethod: Map<string, Route>;
}

const NO_PARAMS: RouteParams = Object.freeze({});

/**
 * Method + path routing. Exact paths are one map lookup (the chat route is hit on every request);
 * patterns with `:name` segments are tried in the order they were added.
 */
export class Router {
  readonly #exact = new Map<string, Map<string, Route>>();
  readonly #patterns: PatternRoutes[] = [];

  add(method: string, pattern: string, handler: RouteHandler, options: RouteOptions = {}): this {
    const route: Route = { method, pattern, handler, ...options };
    if (!pattern.includes('/:')) {
      const byMethod = this.#exact.get(pattern) ?? new Map<string, Route>();
      this.#exact.set(pattern, byMethod);
      byMethod.set(method, route);
      return this;
    }
    let entry = this.#patterns.find((p) => p.segments.join('/') === pattern.slice(1));
    if (!entry) {
      entry = { segments: pattern.slice(1).split('/'), byMethod: new Map() };
      this.#patterns.push(entry);
    }
    entry.byMethod.set(method, route);
    return this;
  }

  /** Every route added, exact paths first (for tools that walk the table, such as the fuzz test). */
  list(): Route[] {
    const out: Route[] = [];
    for (const byMethod of this.#exact.values()) out.push(...byMethod.values());
    for (const entry of this.#patterns) out.push(...entry.byMethod.values());
    return out;
  }

  match(method: string, path: string): RouteMatch {
    const exact = this.#exact.get(path);
    if (exact) return pick(exact, method, NO_PARAMS);
    const segments = path.slice(1).split('/');
    for (const entry of this.#patterns) {
      const params = matchSegments(entry.segments, segments);
      if (params) return pick(entry.byMethod, method, params);
    }
    return { kind: 'not-found' };
  }
}

function pick(byMethod: Map<string, Route>, method: string, params: RouteParams): RouteMatch {
  const route = byMethod.get(method) ?? (method === 'HEAD' ? byMethod.get('GET') : undefined);
  if (route) return { kind: 'found', route, params };
  return { kind: 'method-not-allowed', allowed: [...byMethod.keys()] };
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = path[i]!;
    if (want.startsWith(':')) {
      if (got === '') return null;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return null;
      }
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
