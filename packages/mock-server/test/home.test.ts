import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acceptWeight, prefersHtml } from '../src/internal/accept';
import { jsonResponse } from '../src/internal/wire';
import { TARGETS } from './support/target';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';
const DOCS_URL = 'https://github.com/threadline-dev/threadline/blob/main/docs/';
const serverState = readFileSync(
  fileURLToPath(new URL('../../../docs/server-state.md', import.meta.url)),
  'utf8',
);

describe('content negotiation for the index page', () => {
  it.each([
    [BROWSER, true],
    ['text/html', true],
    ['text/*', true],
    ['*/*', false],
    [null, false],
    ['', false],
    ['application/json', false],
    ['text/html, application/json', false],
    ['application/json;q=0.5, text/html', true],
    ['text/html;q=0, */*', false],
    ['text/*;q=0.2, text/html;q=0.9, application/json;q=0.5', true],
    ['text/html;q=nonsense, */*', false],
  ])('Accept %j prefers HTML: %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });

  it('reads a stranger-sized header only up to its bound', () => {
    expect(acceptWeight(`${'x/y, '.repeat(2_000)}text/html`, 'text/html')).toBe(0);
  });
});

describe.each(TARGETS)('GET / (%s)', (_name, make) => {
  it('answers JSON to curl and SDKs: routes from the router, dialect, demo prompts, docs', async () => {
    const target = await make({ dialect: 'spice' });
    try {
      for (const accept of [undefined, '*/*', 'application/json']) {
        const response = await target.fetch('/', accept ? { headers: { accept } } : {});
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.headers.get('vary')).toBe('accept, origin');
        const page = await response.json();
        expect(page).toMatchObject({
          object: 'threadline.server',
          server: 'threadline-mock',
          dialect: 'spice',
        });
        expect(page.routes).toEqual(
          target.server.router.list().map((r) => ({ method: r.method, path: r.pattern })),
        );
        expect(page.routes).toContainEqual({ method: 'GET', path: '/' });
        expect(page.routes).toContainEqual({ method: 'POST', path: '/v1/chat/completions' });
        // Every prompt listed is one the docs document, word for word.
        expect(page.demo_prompts.length).toBeGreaterThanOrEqual(4);
        for (const { prompt } of page.demo_prompts) expect(serverState).toContain(`\`${prompt}\``);
        for (const { url } of page.docs) {
          expect(url.startsWith(DOCS_URL)).toBe(true);
          const file = fileURLToPath(new URL(`../../../docs/${url.slice(DOCS_URL.length)}`, import.meta.url));
          expect(existsSync(file), url).toBe(true);
        }
      }
    } finally {
      await target.close();
    }
  });

  it('answers HTML to a browser, with the same routes, prompts and links', async () => {
    const target = await make();
    try {
      const json = await (await target.fetch('/')).json();
      const response = await target.fetch('/', { headers: { accept: BROWSER } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await response.text();
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<strong>threadline</strong> dialect');
      for (const route of json.routes) {
        expect(html).toContain(`<tr><td>${route.method}</td><td><code>${route.path}</code></td></tr>`);
      }
      expect(html).toContain('<code>Please delete the draft Q3-plan.</code>');
      expect(html).toContain('(&lt;run_id&gt;::&lt;tool_call_id&gt;)');
      for (const doc of json.docs) expect(html).toContain(`<a href="${doc.url}">`);
      const head = await target.fetch('/', { method: 'HEAD', headers: { accept: BROWSER } });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    } finally {
      await target.close();
    }
  });

  it('escapes what it puts into HTML, such as a route a plugin added', async () => {
    const target = await make();
    try {
      target.server.router.add('GET', '/x/<img src=x onerror="alert(1)">&', () => jsonResponse(200, {}));
      const html = await (await target.fetch('/', { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('<code>/x/&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;</code>');
      expect(html).not.toContain('<img');
    } finally {
      await target.close();
    }
  });

  it('lists no demo prompts when the config brings its own server tools', async () => {
    const target = await make({
      serverTools: [{ name: 'ping_host', trigger: 'ping', result: { reachable: true } }],
    });
    try {
      expect((await (await target.fetch('/')).json()).demo_prompts).toEqual([]);
      const html = await (await target.fetch('/', { headers: { accept: 'text/html' } })).text();
      expect(html).not.toContain('Demo prompts');
    } finally {
      await target.close();
    }
  });

  it('is public and untouched by faults; other unknown routes and methods stay errors', async () => {
    const target = await make({ auth: { apiKeys: ['sk-home'] }, faults: 'status=503' });
    try {
      expect((await target.fetch('/')).status).toBe(200);
      expect((await target.fetch('/', { headers: { 'x-threadline-fault': 'status=500' } })).status).toBe(200);
      expect(target.server.journal.list()).toHaveLength(0);
      const post = await target.fetch('/', { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, OPTIONS');
      const missing = await target.fetch('/index.html');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/json');
    } finally {
      await target.close();
    }
  });
});
