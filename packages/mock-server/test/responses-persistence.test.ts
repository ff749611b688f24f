import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@threadline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { respond, responseBody } from './support/responses';
import { TARGETS } from './support/target';

// With `db`, a stored response's conversation outlives a restart as its run record does: the chain of
// previous_response_id and the items item_reference names are in the file.
describe.each(TARGETS)('stored responses in a db file (%s)', (_name, make) => {
  let dir: string;
  let db: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'threadline-responses-db-'));
    db = join(dir, 'state.db');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('previous_response_id and item_reference continue after a restart on the same file', async () => {
    const before = await make({ db });
    const first = await responseBody(await respond(before, { input: 'My locker code is ZEBRA-42.' }));
    const second = await responseBody(
      await respond(before, { previous_response_id: first.id, input: 'And my bike is blue.' }),
    );
    const continued = await responseBody(
      await respond(before, { previous_response_id: second.id, input: 'What next?' }),
    );
    await before.close();
    const after = await make({ db });
    try {
      const resumed = await responseBody(
        await respond(after, { previous_response_id: second.id, input: 'What next?' }),
      );
      // The same whole conversation as before the restart: the same prompt size.
      expect(resumed.usage.input_tokens).toBe(continued.usage.input_tokens);
      const referenced = await responseBody(
        await respond(after, { input: [{ type: 'item_reference', id: first.output[0].id }] }),
      );
      expect(referenced.status).toBe('completed');
      // Reset empties the file's chains too.
      expect((await after.fetch('/__threadline/reset', { method: 'POST' })).status).toBeLessThan(300);
      const gone = await respond(after, { previous_response_id: second.id, input: 'again' });
      expect(gone.status).toBe(404);
      expect((await responseBody(gone)).error.code).toBe(ERROR_CODES.previousResponseNotFound);
    } finally {
      await after.close();
    }
  });

  it('a store:false response is not kept in the file either', async () => {
    const before = await make({ db });
    const unstored = await responseBody(await respond(before, { input: 'Not kept.', store: false }));
    await before.close();
    const after = await make({ db });
    try {
      const response = await respond(after, { previous_response_id: unstored.id, input: 'hi' });
      expect(response.status).toBe(404);
    } finally {
      await after.close();
    }
  });
});
