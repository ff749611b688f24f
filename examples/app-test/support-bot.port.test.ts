import { StreamIdleTimeoutError, Threadline } from '@threadline/client';
import { start } from '@threadline/mock-server';
import { describe, expect, it } from 'vitest';
import { answerTicket } from './support-bot';

// The stall case runs over a real port: through msw, aborting a stream mid-message makes msw's socket
// emulation replay the close into undici, which trips an internal assertion (msw 3 with Node 24's undici).
const allowNothing = () => false;

describe('answerTicket over a real port', () => {
  it('fails a stalled stream instead of hanging', async () => {
    const local = await start({ port: 0, host: '127.0.0.1', faults: 'stall-after=1' });
    try {
      const impatient = new Threadline({ baseURL: local.url, streamIdleTimeout: 200, maxRetries: 0 });
      await expect(
        answerTicket(impatient, 'How long does a refund take?', allowNothing),
      ).rejects.toBeInstanceOf(StreamIdleTimeoutError);
      // The server saw the client leave: the run is recorded as cancelled.
      const [entry] = local.server.journal.list();
      const run = await impatient.runs.retrieve(entry?.runId ?? '');
      expect(run.status).toBe('cancelled');
    } finally {
      await local.close();
    }
  });
});
