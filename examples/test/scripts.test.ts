import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The example scripts run as a user would run them: node on the built packages, each starting its own
// reference server on a free port. Their output proves they still work.
const run = promisify(execFile);
const examples = fileURLToPath(new URL('..', import.meta.url));
const script = async (name: string, ...args: string[]) =>
  (await run(process.execPath, [`${examples}${name}`, ...args], { timeout: 15_000 })).stdout;

describe('example scripts', () => {
  it('stream-demo.mjs streams a reply', async () => {
    expect(await script('stream-demo.mjs')).toMatch(/Say hello to Threadline/);
  });

  it('approval-flow.mjs approves: the tool runs and the paused run completes', async () => {
    const out = await script('approval-flow.mjs');
    expect(out).toMatch(
      /paused: delete_draft\({"draft_id":"Q3-plan"}\) needs approval \[run_\w+::call_\w+\]/,
    );
    expect(out).toContain('delete_draft returned {"deleted":true,"draft_id":"Q3-plan"}');
    expect(out).toMatch(/paused run run_\w+: completed; tool call executed/);
  });

  it('approval-flow.mjs reject: nothing runs and the run ends approval_rejected', async () => {
    const out = await script('approval-flow.mjs', 'reject');
    expect(out).toContain('stop reason: approval_rejected');
    expect(out).toMatch(/paused run run_\w+: approval_rejected; tool call rejected/);
  });

  it('memory-and-ingest.mjs recalls, reads the document, and keeps users apart', async () => {
    const out = await script('memory-and-ingest.mjs');
    expect(out).toContain(
      'alice asks again: You said: What is my locker code? From memory: My locker code is ZEBRA-42.',
    );
    expect(out).toContain('From memory: The demo launch code is AMBER-FALCON-7.');
    expect(out).toMatch(/bob, same session id: You said: What is my locker code\?\n/);
  });
});
