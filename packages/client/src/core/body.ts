import { MAX_REQUEST_BYTES } from '@threadline/protocol';
import { RequestTooLargeError } from './errors';

/**
 * JSON-encodes a request body, refusing one over the 32 MB limit before anything is sent. Small bodies
 * (the usual case) stay strings: no UTF-8 pass is needed when even 3 bytes per character cannot exceed it.
 */
export function encodeJSON(value: unknown): string | Uint8Array<ArrayBuffer> {
  const text = JSON.stringify(value);
  if (text.length * 3 <= MAX_REQUEST_BYTES) return text;
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength > MAX_REQUEST_BYTES) throw new RequestTooLargeError(bytes.byteLength);
  return bytes;
}
