import type { Health } from '@threadline/protocol';
import { ThreadlineError } from './core/errors';
import { isLogLevel } from './core/logger';
import { type ClientOptions, checkOptions, mergeOptions, type RequestOptions } from './core/options';
import { assertBrowserSafe } from './core/request';
import { normaliseBaseURL } from './core/url';
import { readEnv } from './internal/env';
import { ChatCompletions } from './resources/chat';
import { getHealth, Models } from './resources/models';

/**
 * The chat-only client: chat completions (JSON and streamed), models and health. It bundles to a
 * fraction of the full `Threadline` client; use it when a program needs nothing else.
 */
export class ThreadlineChat {
  /** The options this client was built with (environment defaults applied, baseURL normalised). */
  readonly options: Readonly<ClientOptions>;
  readonly chat: { readonly completions: ChatCompletions };
  readonly models: Models;

  constructor(options: ClientOptions = {}) {
    const baseURL = options.baseURL ?? readEnv('THREADLINE_BASE_URL');
    if (!baseURL)
      throw new ThreadlineError('baseURL is required (the server root, e.g. http://localhost:8787)');
    checkOptions(options);
    const envLevel = readEnv('THREADLINE_LOG');
    const resolved: ClientOptions = { ...options, baseURL: normaliseBaseURL(baseURL) };
    if (options.apiKey === undefined) {
      const envKey = readEnv('THREADLINE_API_KEY');
      if (envKey) resolved.apiKey = envKey;
    }
    if (options.logLevel === undefined && isLogLevel(envLevel)) resolved.logLevel = envLevel;
    if (typeof resolved.apiKey === 'string' && resolved.apiKey) assertBrowserSafe(resolved.apiKey, resolved);
    this.options = resolved;
    this.chat = { completions: this.makeCompletions() };
    this.models = new Models(this);
  }

  /** `GET /health`: engine status and its backing services. */
  health(options?: RequestOptions): Promise<Health> {
    return getHealth(this, options);
  }

  /**
   * A copy of this client with some options changed — per user, per session, per agent. Header maps are
   * merged; `null` unsets a scope (`{ sessionId: null }`).
   */
  withOptions(options: ClientOptions): this {
    const Client = this.constructor as new (options: ClientOptions) => this;
    return new Client(mergeOptions(this.options, options));
  }

  protected makeCompletions(): ChatCompletions {
    return new ChatCompletions(this);
  }
}
