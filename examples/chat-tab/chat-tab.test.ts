import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { start } from '@threadline/mock-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleApp } from './build';
import { type Door, startChatTab } from './server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('./screenshot.png', import.meta.url));
const PATHS: Record<Door, string> = { chat: '/v1/chat/completions', responses: '/v1/responses' };

let browser: Browser;
let script: string;
beforeAll(async () => {
  script = await bundleApp();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}, 60_000);
afterAll(() => browser?.close());

describe.each(['responses', 'chat'] as const)('the chat tab in a real Chromium, %s door', (door) => {
  let reference: Awaited<ReturnType<typeof start>>;
  let tab: Awaited<ReturnType<typeof startChatTab>>;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // Paced frames, so a reply is visibly partial for a while.
    reference = await start({ port: 0, host: '127.0.0.1', chunkDelayMs: 15 });
    tab = await startChatTab({ baseURL: reference.url, script, door });
    page = await (await browser.newContext({ viewport: { width: 820, height: 900 } })).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(tab.url);
  });
  afterAll(async () => {
    await page?.context().close();
    await tab?.close();
    await reference?.close();
  });

  const send = async (text: string) => {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
  };
  const idle = () => page.locator('main[data-status="ready"]').waitFor();
  const lastReply = () => page.locator('[data-role="assistant"]').last();
  /** The run record, by run id or by approval id (`<run_id>::<tool_call_id>`). */
  const run = async (id: string) => (await fetch(`${reference.url}/v1/runs/${id.split('::')[0]}`)).json();
  /** The server's fault queue: its next stream sends `frames` frames, then nothing until the caller leaves. */
  const stallNext = async (frames: number) => {
    const queued = await fetch(`${reference.url}/__threadline/faults`, {
      method: 'POST',
      body: JSON.stringify({ fault: `stall-after=${frames}`, count: 1 }),
    });
    expect(queued.status).toBe(201);
  };
  const card = (tool: string, state: string) => page.locator(`[data-tool="${tool}"][data-state="${state}"]`);

  it('streams, shows server tools, pauses for approval both ways, and remembers across a reload', async () => {
    const session = await page.locator('.session code').textContent();
    expect(session).toMatch(/^tab-/);

    // 1. A reply streams in. The server stalls this one after a few frames (its fault queue), so the
    // partial text stays on screen while the status is `streaming`; Stop ends it, and the route
    // cancels the run upstream.
    await stallNext(3);
    const whole = 'You said: My locker code is ZEBRA-42.';
    await send('My locker code is ZEBRA-42.');
    const partial = (await page
      .waitForFunction(() => {
        const text = document.querySelector('[data-role="assistant"] .text')?.textContent;
        return document.querySelector('main')?.dataset.status === 'streaming' && text;
      })
      .then((handle) => handle.jsonValue())) as string;
    await page.getByRole('button', { name: 'Stop' }).click();
    await idle();
    // What stays on screen is the held part of the reply: a beginning of it, never the whole.
    const stopped = (await lastReply().textContent())!;
    expect(stopped.startsWith(partial) && whole.startsWith(stopped) && stopped.length < whole.length).toBe(
      true,
    );
    const stalled = () => reference.server.journal.list().find((entry) => entry.path === PATHS[door])?.runId;
    await expect.poll(async () => stalled() && (await run(stalled()!)).status).toBe('cancelled');
    // Sent again, it streams to the end; the cancelled turn left nothing in memory to quote.
    await send('My locker code is ZEBRA-42.');
    await idle();
    await expect(lastReply().textContent()).resolves.toBe(whole);

    // 2. A read-only server tool. The responses door shows it as a card with its result (its running
    // state has its own test below); chat hides the call by protocol: only the text that follows is on
    // the wire.
    await send('Please look up order A-1001.');
    await idle();
    await expect(lastReply().textContent()).resolves.toContain(
      'lookup_order returned {"order_id":"A-1001","status":"shipped"',
    );
    if (door === 'responses') {
      const ran = lastReply().locator('[data-tool="lookup_order"][data-state="output-available"]');
      await expect(ran.locator('.tool-output').textContent()).resolves.toContain('"status": "shipped"');
    } else {
      await expect(page.locator('[data-tool="lookup_order"]').count()).resolves.toBe(0);
    }

    // 3. A destructive tool pauses: the card names it and its arguments; Approve runs it, once.
    await send('Please delete the draft Q3-plan.');
    const pause = card('delete_draft', 'approval-requested');
    await pause.waitFor();
    await expect(pause.locator('.tool-head code').textContent()).resolves.toBe('delete_draft');
    await expect(pause.locator('.tool-input').textContent()).resolves.toBe('{ "draft_id": "Q3-plan" }');
    const approved = (await pause.getAttribute('data-approval-id'))!;
    expect(approved).toMatch(/^run_[\w-]+::[\w-]+$/);
    await idle();
    await expect(run(approved)).resolves.toMatchObject({ status: 'awaiting_approval' });
    await pause.getByRole('button', { name: 'Approve' }).click();
    const done = page.locator(`[data-approval-id="${approved}"][data-state="output-available"]`);
    await done.waitFor();
    await idle();
    await expect(done.locator('.tool-output').textContent()).resolves.toBe(
      '{ "deleted": true, "draft_id": "Q3-plan" }',
    );
    await expect(run(approved)).resolves.toMatchObject({
      status: 'completed',
      tool_calls: [{ id: approved, status: 'executed', result: '{"deleted":true,"draft_id":"Q3-plan"}' }],
    });

    // 4. Reject: the card says nothing ran, the run record and the tool log agree, the draft stays.
    await send('Please delete the draft Q4-budget.');
    const second = card('delete_draft', 'approval-requested');
    await second.waitFor();
    await idle();
    const rejected = (await second.getAttribute('data-approval-id'))!;
    if (door === 'responses') {
      // The README's picture: a reply, a server tool's card, an approved call and a pending pause.
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.subarray(1, 4).toString()).toBe('PNG');
      // Refreshed on request only, so an ordinary run leaves the committed file alone.
      if (process.env.UPDATE_SCREENSHOT || !existsSync(SCREENSHOT)) await writeFile(SCREENSHOT, shot);
    }
    await second.getByRole('button', { name: 'Reject' }).click();
    await page.locator(`[data-approval-id="${rejected}"][data-state="output-denied"]`).waitFor();
    await idle();
    await expect(lastReply().textContent()).resolves.toContain('delete_draft was not run');
    await expect(run(rejected)).resolves.toMatchObject({
      status: 'approval_rejected',
      tool_calls: [{ id: rejected, status: 'rejected', result: null }],
    });
    const { executions } = (await (await fetch(`${reference.url}/__threadline/tools`)).json()) as {
      executions: { tool: string; arguments: unknown }[];
    };
    expect(executions.filter((e) => e.tool === 'delete_draft').map((e) => e.arguments)).toEqual([
      { draft_id: 'Q3-plan' },
    ]);
    await send('List my drafts.');
    await idle();
    await expect(lastReply().textContent()).resolves.toContain(
      'list_drafts returned {"drafts":["draft-1","Q4-budget"]}',
    );

    // 5. Reload: the conversation on screen is gone, the session (and so the memory) is not.
    await page.reload();
    await expect(page.locator('.session code').textContent()).resolves.toBe(session);
    await expect(page.locator('[data-role]').count()).resolves.toBe(0);
    await send('What is my locker code?');
    await idle();
    await expect(lastReply().textContent()).resolves.toContain('From memory: My locker code is ZEBRA-42.');

    // Every turn reached the server on this door with the tab's session id, and none failed.
    const turns = reference.server.journal.list().filter((entry) => entry.path === PATHS[door]);
    expect(turns.map((entry) => entry.status)).toEqual(Array(9).fill(200));
    expect(new Set(turns.map((entry) => entry.headers['x-session-id']))).toEqual(new Set([session]));
    expect(errors).toEqual([]);
  }, 45_000);

  it("shows the server's error when a turn fails mid-stream, keeps what had arrived, and carries on", async () => {
    await send('Please fail this turn mid-stream.');
    const error = page.locator('.error');
    await error.waitFor();
    // The server's own message for the failing demo prompt, passed through the route's onError.
    expect(await error.textContent()).toBe('Scripted error (HTTP 500).');
    await expect(lastReply().locator('.text').textContent()).resolves.not.toBe('');
    await expect(page.locator('main').getAttribute('data-status')).resolves.toBe('error');
    await send('My locker code is ZEBRA-42.');
    await idle();
    await expect(lastReply().textContent()).resolves.toContain('You said: My locker code is ZEBRA-42.');
    await expect(error.count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });
});

/** Runs in the page before the app: notes each state a tool card shows, with its label, however briefly. */
function recordToolCards() {
  const log: string[] = [];
  Object.assign(window, { toolCards: log });
  const seen = new WeakMap<Element, string>();
  new MutationObserver(() => {
    for (const card of document.querySelectorAll<HTMLElement>('[data-tool]')) {
      const entry = `${card.dataset.tool} ${card.dataset.state}: ${card.querySelector('.tool-state')?.textContent}`;
      if (seen.get(card) !== entry) log.push(entry);
      seen.set(card, entry);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

describe('a server tool running in the chat tab (responses door)', () => {
  it('shows the card as running on the server, then with its result', async () => {
    // Frames 100 ms apart: the call's start and its result are three frames apart, so the running
    // card is on screen for a while (a mutation observer notes it even if the page was slow to look).
    const reference = await start({ port: 0, host: '127.0.0.1', chunkDelayMs: 100 });
    const tab = await startChatTab({ baseURL: reference.url, script, door: 'responses' });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript(recordToolCards);
      await page.goto(tab.url);
      await page.getByLabel('Message').fill('Please look up order A-1001.');
      await page.getByLabel('Message').press('Enter');
      const done = page.locator('[data-tool="lookup_order"][data-state="output-available"]');
      await done.waitFor();
      await expect(done.locator('.tool-input').textContent()).resolves.toBe('{ "order_id": "A-1001" }');
      await expect(done.locator('.tool-output').textContent()).resolves.toBe(
        '{ "order_id": "A-1001", "status": "shipped", "carrier": "Parcelway", "eta": "2026-12-03" }',
      );
      await expect(
        page.evaluate(() => (window as unknown as { toolCards: string[] }).toolCards),
      ).resolves.toEqual([
        'lookup_order input-available: running on the server…',
        'lookup_order output-available: ran on the server',
      ]);
    } finally {
      await context.close();
      await tab.close();
      await reference.close();
    }
  }, 30_000);
});
