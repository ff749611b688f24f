import { type ClientOptions, mergeOptions } from './core/options';
import { resolveClientOptions } from './core/resolve';
import { Responses } from './resources/responses';

/**
 * The responses-only client: `POST /v1/responses`, JSON and streamed. It bundles to a fraction of the
 * full `Threadline` client (which adds `responses.resume` and everything else); use it when a program
 * needs nothing more.
 */
export class ThreadlineResponses {
  /** The options this client was built with (environment defaults applied, baseURL normalised). */
  readonly options: Readonly<ClientOptions>;
  readonly responses: Responses;

  constructor(options: ClientOptions = {}) {
    this.options = resolveClientOptions(options);
    this.responses = new Responses(this);
  }

  /** A copy of this client with some options changed (header maps merged; `null` unsets a scope). */
  withOptions(options: ClientOptions): this {
    const Client = this.constructor as new (options: ClientOptions) => this;
    return new Client(mergeOptions(this.options, options));
  }
}
