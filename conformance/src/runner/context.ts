import type { Dialect } from '@threadline/protocol';
import type { Exchange, HttpClient, RequestSpec, StreamExchange } from '../internal/http';
import { ResponsesSocket } from '../internal/socket';
import type { Verdicts } from './prerequisites';
import type { Capability, Fixtures, RecordedRequest } from './types';

/** Run-wide state the checks share: cached exchanges several checks read, unique id source. */
export interface RunState {
  http: HttpClient;
  dialect: Dialect;
  capabilities: ReadonlySet<Capability>;
  /** Capabilities the profile declares but this run cannot check, with the reason (e.g. no credentials). */
  withheld: ReadonlyMap<Capability, string>;
  fixtures: Fixtures;
  /** The model every chat request names (`""` when the server offered none: its default). */
  model: string;
  timeoutMs: number;
  /** Exchanges made once per run, with the time limit each ran under. */
  shared: Map<string, { pending: Promise<unknown>; limit: AbortSignal }>;
  /** A prefix unique to this run, so concurrent runs against one server never share sessions. */
  runTag: string;
  counter: { next: number };
  /** The results of the checks started so far, for `blocked by` (prerequisites.ts). */
  verdicts: Verdicts;
  /** Aborted when the caller stops the run (Ctrl-C in the CLI). */
  stop?: AbortSignal;
}

/** What a check sees: plain HTTP against the base URL, recorded for its report. */
export class CheckContext {
  readonly requests: RecordedRequest[] = [];
  readonly signal: AbortSignal;
  /** Set when a shared exchange this check read ran out of time: its failure is then the time limit's. */
  timedOut = false;

  constructor(
    private readonly run: RunState,
    signal: AbortSignal,
  ) {
    this.signal = signal;
  }

  get dialect(): Dialect {
    return this.run.dialect;
  }
  get fixtures(): Fixtures {
    return this.run.fixtures;
  }
  get model(): string {
    return this.run.model;
  }
  get baseUrl(): string {
    return this.run.http.baseUrl;
  }
  has(capability: Capability): boolean {
    return this.run.capabilities.has(capability);
  }

  /** An id no other check or run uses: `<prefix>-<run>-<n>`. */
  uid(prefix: string): string {
    this.run.counter.next += 1;
    return `${prefix}-${this.run.runTag}-${this.run.counter.next}`;
  }

  async send(spec: RequestSpec): Promise<Exchange> {
    const exchange = await this.run.http.send(spec, this.signal);
    this.requests.push(exchange.request);
    return exchange;
  }

  async stream(spec: RequestSpec): Promise<StreamExchange> {
    const exchange = await this.run.http.stream(spec, this.signal);
    this.requests.push(exchange.request);
    return exchange;
  }

  /** Sends and returns the open response; the caller reads or cancels its body. */
  async open(spec: RequestSpec, signal: AbortSignal = this.signal) {
    const opened = await this.run.http.open(spec, signal);
    this.requests.push(opened.request);
    return opened;
  }

  /**
   * Opens a WebSocket on `path` (`ws://` for `http://`) with the run's credentials and extra headers,
   * recorded like a request; closed when the check ends or is aborted.
   */
  socket(path: string): Promise<ResponsesSocket> {
    const { request, url, headers } = this.run.http.prepare({ path });
    this.requests.push(request);
    return ResponsesSocket.open(url.replace(/^http/, 'ws'), headers, this.signal);
  }

  /** A chat request body naming the run's model; `extra` overrides. */
  chatBody(messages: unknown[] | string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const list = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
    return { model: this.run.model, messages: list, ...extra };
  }

  /**
   * An exchange several checks look at (the plain streamed turn, say), made once per run. Its request
   * is recorded in every check that reads it, so each failure still carries its curl repro.
   */
  async shared<T extends { request: RecordedRequest }>(
    key: string,
    make: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let entry = this.run.shared.get(key);
    if (!entry) {
      // A little under the check timeout: the checks waiting on it then see its outcome (a stream that
      // broke off, say) rather than racing their own timers.
      const limit = AbortSignal.timeout(Math.max(1, Math.floor(this.run.timeoutMs * 0.8)));
      entry = { pending: make(this.run.stop ? AbortSignal.any([limit, this.run.stop]) : limit), limit };
      this.run.shared.set(key, entry);
    }
    const value = (await entry.pending) as T;
    if (entry.limit.aborted) this.timedOut = true;
    this.requests.push(value.request);
    return value;
  }

  sharedSend(key: string, spec: RequestSpec): Promise<Exchange> {
    return this.shared(key, (signal) => this.run.http.send(spec, signal));
  }

  sharedStream(key: string, spec: RequestSpec): Promise<StreamExchange> {
    return this.shared(key, (signal) => this.run.http.stream(spec, signal));
  }
}
