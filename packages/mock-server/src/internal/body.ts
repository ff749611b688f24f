import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { invalidJson, payloadTooLarge, unsupportedContentEncoding } from './errors';
import { jsonDepthOver, jsonTooDeep } from './json';
import type { InboundRequest } from './wire';

const decoder = new TextDecoder();
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;

/**
 * UTF-8 text of a body; node's Buffer decodes small bodies several times faster than TextDecoder. A
 * leading byte order mark is dropped either way, as TextDecoder (and so Request.json()) does.
 */
function utf8(raw: Uint8Array): string {
  if (!NodeBuffer?.isBuffer(raw)) return decoder.decode(raw);
  const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;
  return raw.toString('utf8', bom ? 3 : 0);
}
/** Bodies up to this size are kept whole in the journal; larger ones are summarised. */
export const JOURNAL_BODY_LIMIT = 64 * 1024;

/**
 * Before a single body byte is read: rejects a declared Content-Length over the limit, and a compressed
 * body (any Content-Encoding but `identity`; nothing here decodes one).
 */
export function checkDeclaredLength(request: InboundRequest, limit = MAX_REQUEST_BYTES): void {
  const declared = request.header('content-length');
  if (declared !== null && Number(declared) > limit) throw payloadTooLarge(limit);
  const encoding = request.header('content-encoding');
  if (encoding !== null && encoding.trim() !== '' && encoding.trim().toLowerCase() !== 'identity') {
    throw unsupportedContentEncoding(encoding.trim());
  }
}

export interface JsonBody {
  value: unknown;
  bytes: number;
  /** The JSON text the value was parsed from. */
  text: string;
}

/**
 * Reads and parses a JSON body, enforcing the request limit. Empty body and bad JSON are 400s. The
 * content type is not checked: `curl -d` sends form encoding by default and the intent is still plain.
 */
export async function readJsonBody(request: InboundRequest, limit = MAX_REQUEST_BYTES): Promise<JsonBody> {
  checkDeclaredLength(request, limit);
  const raw = await request.readBody(limit);
  if (raw.byteLength === 0) throw invalidJson('the body is empty');
  // Before parsing: nothing recursive (validation, the journal) ever meets a value nested thousands deep.
  if (jsonDepthOver(raw)) throw jsonTooDeep('The request body');
  const text = utf8(raw);
  try {
    return { value: JSON.parse(text), bytes: raw.byteLength, text };
  } catch (error) {
    throw invalidJson(error instanceof Error ? error.message : String(error));
  }
}

/** What a route that read a JSON body tells the journal about it. */
interface BodyNote {
  body: unknown;
  bodyText?: string;
  bodyBytes?: number;
}

/**
 * Hands a read body to the journal: its text, which the journal parses only when it is listed (one
 * string per entry instead of the parsed value's objects), or a summary for a body over the limit.
 */
export function noteBody(ctx: BodyNote, read: JsonBody): void {
  if (read.bytes <= JOURNAL_BODY_LIMIT) {
    ctx.bodyText = read.text;
    ctx.bodyBytes = read.bytes;
  } else {
    ctx.body = { truncated: true, bytes: read.bytes };
    ctx.bodyBytes = 64;
  }
}

/** Reads a Web stream body, stopping (and cancelling the stream) once it passes `limit`. */
export async function readStreamBody(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
    parts.push(value);
  }
  return concat(parts, total);
}

export function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
