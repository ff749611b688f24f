import { type MockServerConfig, start } from '@threadline/mock-server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createThreadline, type ThreadlineProviderSettings } from '../../src/index';

export interface ChatBody {
  messages: { role: string; content?: unknown; tool_call_id?: string }[];
  [field: string]: unknown;
}

/** The reference server over a real port (node:http adapter): what a deployed app talks to. */
export async function realServer(config: MockServerConfig = {}) {
  const running = await start({ port: 0, host: '127.0.0.1', ...config });
  return {
    url: running.url,
    server: running.server,
    close: () => running.close(),
    /** Requests the server saw (control routes left out), oldest first. */
    journal: () => running.server.journal.list(),
  };
}

/**
 * One reference server for the enclosing describe, reset before each test; `provider(settings)` makes a
 * Threadline provider pointed at it. Read the fields inside hooks and tests.
 */
export function useServer(config: MockServerConfig = {}) {
  let ref: Awaited<ReturnType<typeof realServer>> | undefined;
  beforeAll(async () => {
    ref = await realServer(config);
  });
  afterAll(() => ref?.close());
  beforeEach(() => got().server.reset());
  const got = () => {
    if (!ref) throw new Error('useServer(): read its fields inside a hook or test');
    return ref;
  };
  return {
    get url() {
      return got().url;
    },
    get server() {
      return got().server;
    },
    journal: () => got().journal(),
    /** Bodies of the chat completion requests the server saw, oldest first. */
    chatBodies: () =>
      got()
        .journal()
        .filter((e) => e.path === '/v1/chat/completions')
        .map((e) => e.body as ChatBody),
    provider: (settings: ThreadlineProviderSettings = {}) =>
      createThreadline({ baseURL: got().url, ...settings }),
    /** GET /v1/runs/{id} as the default user sees it. */
    run: async (id: string, headers: Record<string, string> = {}) =>
      (await fetch(`${got().url}/v1/runs/${id}`, { headers })).json() as Promise<{
        status: string;
        stop_reason: string | null;
        tool_calls: { id: string; name: string; status: string; result: unknown }[];
      }>,
  };
}
