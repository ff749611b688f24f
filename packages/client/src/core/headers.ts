import { DIALECTS, type Dialect } from '@threadline/protocol';
import { ThreadlineError } from './errors';
import type { HeadersInit, RequestOptions } from './options';

function put(
  headers: Record<string, string>,
  dialect: Dialect,
  name: string | null,
  value: unknown,
  option: string,
) {
  if (value === undefined || value === null) return;
  if (!name) {
    // Silently dropping a scope would lose memory the caller thinks is kept: refuse instead.
    throw new ThreadlineError(
      `the ${dialect.name} dialect has no header for \`${option}\`; nothing was sent`,
    );
  }
  headers[name] = String(value);
}

function apply(headers: Record<string, string>, extra: HeadersInit | undefined) {
  if (!extra) return;
  for (const name in extra) {
    const value = extra[name];
    const key = name.toLowerCase();
    if (value === null) delete headers[key];
    else if (value !== undefined) headers[key] = value;
  }
}

/**
 * The headers of one request: the dialect's memory, identity, version and progress headers (read from
 * protocol's table, never hard-coded), then default headers, then per-call headers.
 */
export function buildHeaders(
  options: RequestOptions,
  apiKey: string | null,
  base: Record<string, string>,
): Record<string, string> {
  const dialect = DIALECTS[options.dialect ?? 'threadline'];
  const headers = base;
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  put(headers, dialect, dialect.memory.sessionHeader, options.sessionId, 'sessionId');
  put(headers, dialect, dialect.memory.userHeader, options.userId, 'userId');
  put(headers, dialect, dialect.memory.threadHeader, options.threadId, 'threadId');
  put(headers, dialect, dialect.identity.agentHeader, options.agentId, 'agentId');
  put(headers, dialect, dialect.versionHeader, options.apiVersion, 'apiVersion');
  if (options.progress || options.onProgress) {
    if (!dialect.progress) {
      throw new ThreadlineError(`the ${dialect.name} dialect has no progress events; nothing was sent`);
    }
    headers[dialect.progress.header] = dialect.progress.enabledValue;
  }
  apply(headers, options.defaultHeaders);
  apply(headers, options.headers);
  return headers;
}
