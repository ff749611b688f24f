import { ERROR_CODES } from '@threadline/protocol';
import { ingestResponseSchema } from '@threadline/protocol/schemas';
import { ensure, ensureErrorAnswer, ensureOk, ensureSchema } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { CHAT, codeWord, ensureCompletion, ensureRecalled } from './support';

const family = { family: 'ingest-files' } as const;

/** Memory headers for a fresh session, as the dialect names them. */
function memoryHeaders(ctx: CheckContext): Record<string, string> {
  const { sessionHeader, userHeader, threadHeader } = ctx.dialect.memory;
  const headers: Record<string, string> = {};
  if (sessionHeader) headers[sessionHeader] = ctx.uid('sess');
  else if (threadHeader) headers[threadHeader] = ctx.uid('thread');
  if (userHeader) headers[userHeader] = ctx.uid('user');
  return headers;
}

const ingest = (
  ctx: CheckContext,
  query: string,
  init: { body?: string; headers?: Record<string, string> } = {},
) =>
  ctx.send({
    method: 'POST',
    path: `/v1/ingest?${query}`,
    body: init.body ?? '',
    headers: { ...memoryHeaders(ctx), ...init.headers },
  });

/** Ingesting `?<param>=<value>` succeeds and processes tokens. */
async function ensureIngested(ctx: CheckContext, param: 'file_path' | 'uri', value: string): Promise<void> {
  const answer = await ingest(ctx, `${param}=${encodeURIComponent(value)}`);
  ensureOk(answer, `POST /v1/ingest?${param}=…`);
  // Only tokens_processed is read: the response's shape is ingest.raw-body's to judge.
  const body = (answer.json ?? {}) as { tokens_processed?: unknown };
  ensure(
    typeof body.tokens_processed === 'number' && body.tokens_processed > 0,
    'nothing was processed',
    'tokens_processed > 0',
    answer.json,
  );
}

/** Ingesting a file_path that reaches outside the upload directory is 400 invalid_path. */
async function ensurePathRefused(ctx: CheckContext, path: string): Promise<void> {
  const answer = await ingest(ctx, `file_path=${encodeURIComponent(path)}`);
  ensureErrorAnswer(answer, { status: 400, code: ERROR_CODES.invalidPath }, `file_path=${path}`);
}

/** Family 6 (ingest): load documents into a session's memory, never from outside the upload directory. */
export const INGEST_CHECKS: Check[] = [
  {
    ...family,
    id: 'ingest.file-path',
    title: 'Ingesting the configured upload path succeeds with tokens_processed',
    capability: 'ingest',
    fixtures: ['ingestPath'],
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      await ensureIngested(ctx, 'file_path', ctx.fixtures.ingestPath!);
    },
  },
  {
    ...family,
    id: 'ingest.uri',
    title: 'Ingesting the configured s3:// or gs:// URI succeeds with tokens_processed',
    capability: 'ingest',
    fixtures: ['ingestUri'],
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      await ensureIngested(ctx, 'uri', ctx.fixtures.ingestUri!);
    },
  },
  {
    ...family,
    id: 'ingest.traversal-refused',
    title: 'A file_path with ".." is 400 invalid_path',
    capability: 'ingest',
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      await ensurePathRefused(ctx, '../../../../etc/passwd');
    },
  },
  {
    ...family,
    id: 'ingest.absolute-path-refused',
    title: 'An absolute file_path is 400 invalid_path',
    capability: 'ingest',
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      await ensurePathRefused(ctx, '/etc/passwd');
    },
  },
  {
    ...family,
    id: 'ingest.link-escape-refused',
    title: 'A file_path that is a link out of the upload directory is 400 invalid_path',
    capability: 'ingest',
    fixtures: ['ingestEscapingPath'],
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      await ensurePathRefused(ctx, ctx.fixtures.ingestEscapingPath!);
    },
  },
  {
    ...family,
    id: 'ingest.raw-body',
    title: 'A raw body with ?filename= is ingested',
    capability: 'ingest',
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      const text = `# Conformance note\n\nThe conformance marker is ${codeWord(ctx)}.\n`;
      const answer = await ingest(ctx, 'filename=conformance-note.md', {
        body: text,
        headers: { 'content-type': 'text/markdown' },
      });
      ensureOk(answer, 'POST /v1/ingest?filename=conformance-note.md');
      ensureSchema(ingestResponseSchema, answer.json, 'ingest response');
    },
  },
  {
    ...family,
    id: 'ingest.without-session-refused',
    title: 'Ingest without a session (or thread) header is refused with 400',
    capability: 'ingest',
    level: 'MUST',
    section: SECTIONS.ingest,
    async run(ctx) {
      const { userHeader } = ctx.dialect.memory;
      const answer = await ctx.send({
        method: 'POST',
        path: '/v1/ingest?filename=no-session.md',
        body: `# No session\n\nThe marker is ${codeWord(ctx)}.\n`,
        headers: {
          'content-type': 'text/markdown',
          ...(userHeader ? { [userHeader]: ctx.uid('user') } : {}),
        },
      });
      ensureErrorAnswer(answer, { status: 400 }, 'POST /v1/ingest without a session header');
    },
  },
  {
    ...family,
    id: 'ingest.recall',
    title: 'A later turn of the same session retrieves what was ingested',
    capability: 'ingest',
    requires: ['memory-session'],
    level: 'SHOULD',
    section: SECTIONS.ingest,
    async run(ctx) {
      const word = codeWord(ctx);
      const headers = memoryHeaders(ctx);
      const text = `# Vault\n\nThe vault access code is ${word}.\n`;
      const loaded = await ctx.send({
        method: 'POST',
        path: '/v1/ingest?filename=vault.md',
        body: text,
        headers,
      });
      ensureOk(loaded, 'POST /v1/ingest?filename=vault.md');
      const answer = await ctx.send({
        path: CHAT,
        json: ctx.chatBody('What is the vault access code?'),
        headers,
      });
      const reply = ensureCompletion(answer, 'a turn after ingest').choices[0]!.message.content ?? '';
      ensureRecalled(reply, word, 'the ingested document was not retrieved');
    },
  },
];
