import { ERROR_CODES, MAX_REQUEST_BYTES } from '@threadline/protocol';
import { authenticate, resolveIdentity } from '../auth/identity';
import type { RequestContext } from '../context';
import { demoUploadDir } from '../demo';
import { checkDeclaredLength } from '../internal/body';
import { HttpError } from '../internal/errors';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import type { Ledger, NewLedgerEntry } from '../memory/ledger';
import { faultedScope, memoryScope, scopeKey } from '../memory/scope';
import { countTokens } from '../model/tokens';
import { chunkText, extractText } from './extract';
import { type IngestFile, readBucket, readFiles, resolveInside } from './sources';

const missing = (param: string, message: string) =>
  new HttpError({ status: 400, code: ERROR_CODES.missingParameter, param, message });

/** The upload directory: config, else env ICE_UPLOAD_DIR, else the package's demo folder. */
export async function uploadDir(configured: string | undefined): Promise<string | null> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return configured ?? env?.ICE_UPLOAD_DIR ?? (await demoUploadDir());
}

/**
 * POST /v1/ingest: loads documents into the session's (or thread's) memory. Exactly one source:
 * `?file_path=` (relative to the upload directory), `?uri=s3://…|gs://…` (configured buckets), or the
 * request body with `?filename=`.
 */
export function ingestRoute(ledger: Ledger) {
  return async (ctx: RequestContext): Promise<OutboundResponse> => {
    const { state, request } = ctx;
    const principal = authenticate(state.config, request, ctx.faults);
    const identity = resolveIdentity(state.config, principal, request, { requireAgent: true });
    const { memory } = state.dialect;
    let scope = memoryScope(state.dialect, identity.owner, (name) => request.header(name));
    const query = new URLSearchParams(request.search);
    const sources = ['file_path', 'uri', 'filename'].filter((name) => query.has(name));
    ctx.body = Object.fromEntries(query);
    // The ingest-without-session fault stores the documents in an unnamed session instead of refusing.
    if (scope === null && ctx.faults.ingestWithoutSession) {
      scope = { kind: 'session', id: '', key: scopeKey(identity.owner, 'session', '') };
    }
    if (scope === null) {
      const header = memory.sessionHeader ?? memory.threadHeader;
      if (header === null) {
        throw new HttpError({
          status: 404,
          message: `The ${state.dialect.name} dialect has no ingest route.`,
        });
      }
      throw missing(header, `Ingest stores documents in a session: send the ${header} header.`);
    }
    if (sources.length !== 1) {
      throw new HttpError({
        status: 400,
        code: sources.length === 0 ? ERROR_CODES.missingParameter : ERROR_CODES.invalidValue,
        param: sources[1] ?? 'file_path',
        message: 'Name exactly one source: ?file_path=, ?uri= (s3:// or gs://), or a body with ?filename=.',
      });
    }
    const files = await readSource(ctx, query, sources[0]!);
    let tokens = 0;
    let chunkCount = 0;
    const createdAt = Math.floor(Date.now() / 1000);
    const entries: NewLedgerEntry[] = [];
    for (const file of files) {
      const text = await extractText(file.name, file.bytes);
      tokens += countTokens(text);
      for (const chunk of chunkText(text)) {
        chunkCount++;
        entries.push({
          kind: 'document',
          role: null,
          text: chunk,
          toolCalls: [],
          toolCallId: null,
          name: file.name,
          runId: null,
          createdAt,
        });
      }
    }
    // Everything is extracted before anything is stored: a bad file in a prefix stores nothing.
    ledger.append(faultedScope(scope, identity.owner, ctx.faults).key, entries);
    const names = files.length === 1 ? files[0]!.name : `${files.length} files`;
    return jsonResponse(200, {
      status: 'success',
      message: `Ingested ${names} into ${scope.kind} '${scope.id}' (${chunkCount} chunks).`,
      tokens_processed: tokens,
    });
  };
}

async function readSource(
  ctx: RequestContext,
  query: URLSearchParams,
  source: string,
): Promise<IngestFile[]> {
  const { input } = ctx.state.config;
  const value = query.get(source)!;
  if (source === 'uri') return readBucket(input.buckets ?? {}, value);
  if (source === 'filename') {
    if (!value.trim() || /[\\/]/.test(value)) {
      throw new HttpError({
        status: 400,
        code: ERROR_CODES.invalidPath,
        param: 'filename',
        message: 'filename must be a plain file name (no directories).',
      });
    }
    checkDeclaredLength(ctx.request);
    const bytes = await ctx.request.readBody(MAX_REQUEST_BYTES);
    if (bytes.byteLength === 0) throw missing('body', 'The request body is empty: send the file bytes.');
    return [{ name: value, bytes }];
  }
  const root = await uploadDir(input.uploadDir).catch(() => null);
  if (root === null) {
    // No file system (an edge runtime) or no directory configured: file_path names nothing here.
    throw new HttpError({
      status: 404,
      param: 'file_path',
      message:
        'This server has no upload directory (start it with --upload-dir), so file_path names no file.',
    });
  }
  const { realpath } = await import('node:fs/promises');
  const target = await resolveInside(root, value, 'file_path');
  return readFiles(await realpath(root), target);
}
