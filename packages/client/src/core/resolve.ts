import { readEnv } from '../internal/env';
import { ThreadlineError } from './errors';
import { isLogLevel } from './logger';
import { type ClientOptions, checkOptions } from './options';
import { assertBrowserSafe } from './request';
import { normaliseBaseURL } from './url';

/**
 * A client's options with environment defaults applied and checked: `ThreadlineChat`'s constructor
 * rules. That constructor keeps its own inline copy because calling this costs the chat-only bundle
 * bytes it has a budget for; change both together (test/responses-client.test.ts compares them).
 */
export function resolveClientOptions(options: ClientOptions): ClientOptions {
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
  return resolved;
}
