import { type MockServer, type MockServerConfig, start } from '@threadline/mock-server';
import { handlers } from '@threadline/mock-server/msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type Logger, Threadline } from '../../src/index';

/** The reference server over a real port (node:http adapter). */
export async function realServer(config: MockServerConfig = {}) {
  const running = await start({ port: 0, host: '127.0.0.1', ...config });
  const { url, server, httpServer } = running;
  return { url, server, httpServer, close: () => running.close() };
}

/** The reference server in-process through msw: the client's ordinary fetch is intercepted. */
export function mswServer(config: MockServerConfig = {}) {
  const list = handlers(config, { baseUrl: 'http://threadline.test' });
  const msw = setupServer(...list);
  msw.listen({ onUnhandledFrame: 'error' });
  const server = list.server as MockServer;
  return { url: 'http://threadline.test', server, httpServer: null, close: async () => msw.close() };
}

/**
 * One reference server and a default client on it for the enclosing describe: started before its tests,
 * closed after them and, unless `reset` is false, reset before each so no test sees another's state.
 * The fields exist once beforeAll has run, so read them inside hooks and tests, not at describe time.
 */
export function useServer(
  options: { over?: 'msw' | 'port'; config?: MockServerConfig; reset?: boolean } = {},
) {
  const { over = 'msw', config = {}, reset = true } = options;
  let ref: Awaited<ReturnType<typeof realServer>> | ReturnType<typeof mswServer> | undefined;
  let client: Threadline | undefined;
  beforeAll(async () => {
    ref = over === 'msw' ? mswServer(config) : await realServer(config);
    client = new Threadline({ baseURL: ref.url });
  });
  afterAll(() => ref?.close());
  if (reset) beforeEach(() => started().ref.server.reset());
  function started() {
    if (!ref || !client) throw new Error('useServer(): read its fields inside a hook or test');
    return { ref, client };
  }
  return {
    get url() {
      return started().ref.url;
    },
    get server() {
      return started().ref.server;
    },
    /** The node:http server behind a real port (null through msw): to watch its connections. */
    get httpServer() {
      return started().ref.httpServer;
    },
    get client() {
      return started().client;
    },
  };
}

/** Requests the server saw, minus control routes. */
export const journal = (server: MockServer) => server.journal.list();

/** A logger that keeps every line it was given, arguments serialised. */
export function captureLogger() {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, ...rest: unknown[]) =>
      lines.push(`${level} ${message} ${rest.map((r) => JSON.stringify(r)).join(' ')}`);
  const logger: Logger = {
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
  };
  return { logger, lines, text: () => lines.join('\n') };
}

export const user = (content: string) => [{ role: 'user' as const, content }];

/** The run record once the server has settled it (seen the connection close, say): polls for ~1 s. */
export async function settledRun(client: Threadline, id: string) {
  for (let i = 0; i < 50; i++) {
    const run = await client.runs.retrieve(id);
    if (run.status !== 'in_progress') return run;
    await new Promise((r) => setTimeout(r, 20));
  }
  return client.runs.retrieve(id);
}
