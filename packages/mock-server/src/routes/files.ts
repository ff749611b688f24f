import { authenticate, resolveIdentity } from '../auth/identity';
import type { RequestContext, RouteParams } from '../context';
import { notFound } from '../internal/errors';
import { attachmentDisposition } from '../internal/headers';
import { isValidMediaType } from '../internal/media';
import { jsonResponse, type OutboundResponse } from '../internal/wire';
import { type StoredFile, toFileObject } from '../state/files';
import { faultedDownload } from '../stream/download';

function ownedFile(ctx: RequestContext, id: string): StoredFile {
  const { config } = ctx.state;
  const principal = authenticate(config, ctx.request, ctx.faults);
  const identity = resolveIdentity(config, principal, ctx.request, { requireAgent: true });
  // Someone else's file answers exactly like a missing one: its existence is not disclosed (unless the
  // files-any-user fault is on).
  const file = ctx.state.files.get(id, ctx.faults.filesAnyUser ? null : identity.owner);
  if (!file) throw notFound(`No file with id '${id}'.`);
  return file;
}

/** GET /v1/files/{id}: the file object. */
export function getFile(ctx: RequestContext, params: RouteParams): OutboundResponse {
  const object = toFileObject(ownedFile(ctx, params.id!));
  if (!ctx.faults.badFileObject) return jsonResponse(200, object);
  // The bad-file-object fault: a file object of the wrong type without created_at (its size stays right).
  const { created_at: _created, ...rest } = object;
  return jsonResponse(200, { ...rest, object: 'blob' });
}

/**
 * GET /v1/files/{id}/content: the exact bytes, with their media type. Under a stall or drop fault they
 * go out in pieces, chunked (no content-length, so a client can tell the body never ended).
 */
export function getFileContent(ctx: RequestContext, params: RouteParams): OutboundResponse {
  const file = ownedFile(ctx, params.id!);
  // A type stored before types were checked (an older db file) must not break the download.
  const mimeType =
    file.mime_type && isValidMediaType(file.mime_type) ? file.mime_type : 'application/octet-stream';
  return {
    status: 200,
    headers: {
      'content-type': mimeType,
      'content-disposition': attachmentDisposition(file.filename),
    },
    body: faultedDownload(file.data, ctx.faults) ?? file.data,
  };
}
