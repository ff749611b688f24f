import { type RunningServer, start } from '@threadline/mock-server';
import type { Capability, Fixtures } from './types';

/** The prompt whose streamed turn the embedded server fails after two chunks. */
export const EMBEDDED_FAILING_PROMPT = 'conformance: fail this turn mid-stream';

export interface EmbeddedServer {
  running: RunningServer;
  fixtures: Fixtures;
  /** Capabilities of the threadline profile the reference server does not serve yet. */
  undeclared: readonly Capability[];
}

/**
 * Starts the reference server in-process on a real port (so curl repros in the report work while it
 * runs), with the fixtures the suite needs to provoke failures no generic prompt can.
 */
export async function startEmbedded(): Promise<EmbeddedServer> {
  const running = await start({
    port: 0,
    host: '127.0.0.1',
    fixtures: [
      {
        id: 'conformance-failing-prompt',
        match: { userText: EMBEDDED_FAILING_PROMPT },
        reply: { text: 'This answer breaks off after two chunks.', error: { status: 500, afterChunks: 2 } },
      },
    ],
  });
  return {
    running,
    // The reference server's demo set (docs/server-state.md): a destructive tool and an ingestable file.
    fixtures: {
      failingPrompt: EMBEDDED_FAILING_PROMPT,
      destructivePrompt: 'Please delete the draft Q3-plan.',
      ingestPath: 'threadline-demo.md',
    },
    // Memory, ingest and approvals are being built in the reference server (issue 3); until they are,
    // the embedded default leaves them undeclared so their checks skip rather than fail.
    undeclared: ['approvals', 'memory-session', 'memory-thread', 'ingest'],
  };
}
