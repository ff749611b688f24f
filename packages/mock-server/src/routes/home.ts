import type { RequestContext } from '../context';
import { DEMO_PROMPTS } from '../demo';
import { prefersHtml } from '../internal/accept';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import type { Router } from '../router';

/** Docs links are absolute: the page is read from a running server, far from any checkout. */
const DOCS = 'https://github.com/threadline-dev/threadline/blob/main/docs';

export const HOME_DOCS: ReadonlyArray<{ title: string; url: string }> = [
  { title: 'Reference server: flags, fixtures, faults', url: `${DOCS}/mock-server.md` },
  { title: 'Memory, ingest, server tools, approvals, runs', url: `${DOCS}/server-state.md` },
  { title: 'The protocol', url: `${DOCS}/protocol.md` },
  { title: 'The client', url: `${DOCS}/client.md` },
  { title: 'The conformance suite', url: `${DOCS}/conformance.md` },
];

/** What `GET /` says about this server: no secrets, only what a person needs to start. */
export interface HomePage {
  object: 'threadline.server';
  server: 'threadline-mock';
  dialect: string;
  routes: Array<{ method: string; path: string }>;
  /** The demo set's prompts; empty when the config brings server tools of its own. */
  demo_prompts: Array<{ prompt: string; does: string }>;
  docs: Array<{ title: string; url: string }>;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function renderHtml(page: HomePage): string {
  const e = escapeHtml;
  const rows = page.routes.map((r) => `<tr><td>${e(r.method)}</td><td><code>${e(r.path)}</code></td></tr>`);
  const prompts = page.demo_prompts.map((p) => `<li><code>${e(p.prompt)}</code> — ${e(p.does)}</li>`);
  const docs = page.docs.map((d) => `<li><a href="${e(d.url)}">${e(d.title)}</a></li>`);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>Threadline reference server</title>',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}',
    'td{padding:0 1rem 0 0}code{font-size:.95em}</style></head><body>',
    '<h1>Threadline reference server</h1>',
    `<p>An OpenAI-compatible server, speaking the <strong>${e(page.dialect)}</strong> dialect.</p>`,
    '<h2>Routes</h2>',
    `<table><tbody>${rows.join('')}</tbody></table>`,
    ...(prompts.length ? ['<h2>Demo prompts</h2>', `<ul>${prompts.join('')}</ul>`] : []),
    '<h2>Docs</h2>',
    `<ul>${docs.join('')}</ul>`,
    '<p>The same page as JSON: ask with <code>Accept: application/json</code>.</p>',
    '</body></html>',
    '',
  ].join('\n');
}

/** GET /: the routes, the dialect, the demo prompts and the docs; HTML for a browser, JSON otherwise. */
export function homeRoute(router: Router) {
  return (ctx: RequestContext): OutboundResponse => {
    const { state, request } = ctx;
    const page: HomePage = {
      object: 'threadline.server',
      server: 'threadline-mock',
      dialect: state.dialect.name,
      // Read on every request, so routes a plugin added later are listed too.
      routes: router.list().map((r) => ({ method: r.method, path: r.pattern })),
      demo_prompts: state.config.input.serverTools === undefined ? DEMO_PROMPTS.map((p) => ({ ...p })) : [],
      docs: HOME_DOCS.map((d) => ({ ...d })),
    };
    if (!prefersHtml(request.header('accept'))) return jsonResponse(200, page, { vary: 'accept' });
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', vary: 'accept' },
      body: renderHtml(page),
    };
  };
}
