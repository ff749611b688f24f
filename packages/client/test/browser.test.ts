import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFixture } from './support/bundle';
import { realServer } from './support/server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const jwt = (payload: object) =>
  `${['{"alg":"none"}', JSON.stringify(payload)].map((p) => Buffer.from(p).toString('base64url')).join('.')}.sig`;
const agentToken = jwt({ sub: 'acme:smt_helper' });
const adminToken = 'admin-acme-0123456789';

/** Serves the test page and the bundled client from its own origin, so every API call is cross-origin. */
async function pageServer(script: string): Promise<{ url: string; server: Server }> {
  const html =
    '<!doctype html><meta charset="utf-8"><title>threadline</title><script type="module" src="/app.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('a real browser (Debian chromium through playwright-core)', () => {
  let api: Awaited<ReturnType<typeof realServer>>;
  /** A server that asks for no credentials: a page's WebSocket can open WebSocket mode on it. */
  let open: Awaited<ReturnType<typeof realServer>>;
  let page: Awaited<ReturnType<typeof pageServer>>;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    open = await realServer();
    api = await realServer({
      auth: {
        mode: 'agent-token',
        agentTokens: [{ token: agentToken, tenant: 'acme', agent: 'smt_helper' }],
        adminTokens: [{ token: adminToken, tenant: 'acme' }],
        agents: [{ id: 'smt_helper', tenant: 'acme' }],
      },
    });
    page = await pageServer(await bundleFixture('browser-page.ts', { format: 'esm', platform: 'browser' }));
    profile = mkdtempSync(join(tmpdir(), 'threadline-chromium-'));
    // A fresh profile per run; the flags keep Debian's chromium quiet and offline.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    page?.server.close();
    await api?.close();
    await open?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('streams chat (with progress events) and responses, raises typed errors, guards credentials, uploads and round-trips a file', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(page.url);
    await tab.waitForFunction(() => typeof window.runChecks === 'function');
    const result = (await tab.evaluate((config) => window.runChecks(config), {
      baseURL: api.url,
      openBaseURL: open.url,
      agentToken,
      adminToken,
    })) as Record<string, unknown>;
    expect(errors).toEqual([]);
    expect(result).toMatchObject({
      browser: true,
      adminRefused: true,
      adminAllowed: true,
      text: 'You said: hello from a page',
      notFound: 'model_not_found',
      imageRoundTrip: true,
      socketRefused: true,
      socket: { first: 'You said: page socket one', second: 'You said: page socket two', continued: true },
    });
    const size = (result.ingest as { size: number }).size;
    expect(result.ingest).toEqual({
      statuses: ['success', 'success'],
      progress: [
        { loaded: 0, total: size },
        { loaded: size, total: size },
      ],
      size,
      recalled: true,
    });
    expect(result.usage).toEqual(expect.any(Number));
    expect(result.progress).toBeGreaterThan(0);
    // `break` in the page closed the connection: the server cancelled that run (chat and responses).
    const settled = async (runId: unknown) => {
      expect(runId).toMatch(/^run_/);
      let status = '';
      for (let i = 0; i < 50 && status !== 'cancelled'; i++) {
        const response = await fetch(`${api.url}/v1/runs/${runId}`, {
          headers: { authorization: `Bearer ${agentToken}` },
        });
        status = ((await response.json()) as { status: string }).status;
        if (status !== 'cancelled') await new Promise((r) => setTimeout(r, 20));
      }
      return status;
    };
    expect(await settled(result.cutRunId)).toBe('cancelled');
    const responses = result.responses as { text: string; completed: boolean; cutRunId: string };
    expect(responses).toMatchObject({ text: 'You said: hello responses', completed: true });
    expect(await settled(responses.cutRunId)).toBe('cancelled');
    await tab.close();
  }, 60_000);
});
