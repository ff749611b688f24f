import type { FaultSet } from './faults/parse';
import type { InboundRequest } from './internal/wire';
import type { ServerState } from './state';

/** What a route handler gets besides its path parameters. */
export interface RequestContext {
  readonly request: InboundRequest;
  readonly requestId: string;
  readonly state: ServerState;
  /** The faults in force for this request (configured, queued and the request's own header). */
  readonly faults: FaultSet;
  /** The run the request started, once known: sent as `x-threadline-run-id` and journalled. */
  runId: string | null;
  /** What the journal shows as the body (a summary, a query), when it is not `bodyText`. */
  body: unknown;
  /** The JSON body's text as it arrived, for the journal (parsed when the journal is listed). */
  bodyText?: string;
  /**
   * The size of `body` as it arrived, when the route knows it: the journal counts it against its byte
   * cap without serialising the body again on every request.
   */
  bodyBytes?: number;
}

export type RouteParams = Readonly<Record<string, string>>;
