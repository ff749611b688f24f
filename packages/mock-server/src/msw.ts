import { http } from 'msw';
import type { MockServerConfig } from './config';
import { createMockServer, type MockServer } from './server';

export interface MswOptions {
  /** The origin the handlers answer for; default `http://threadline.test`. */
  baseUrl?: string;
}

export type MockServerHandlers = ReturnType<typeof http.all>[] & { server: MockServer };

/**
 * msw request handlers serving a mock server in-process: `setupServer(...handlers())`. Pass a config or
 * an existing server; the returned array also carries `.server` for fixtures, faults and the journal.
 */
export function handlers(
  configOrServer: MockServerConfig | MockServer = {},
  options: MswOptions = {},
): MockServerHandlers {
  const server =
    'fetch' in configOrServer && typeof configOrServer.fetch === 'function'
      ? (configOrServer as MockServer)
      : createMockServer(configOrServer as MockServerConfig);
  const base = (options.baseUrl ?? 'http://threadline.test').replace(/\/+$/, '');
  const list = [http.all(`${base}/*`, ({ request }) => server.fetch(request))] as MockServerHandlers;
  list.server = server;
  return list;
}
