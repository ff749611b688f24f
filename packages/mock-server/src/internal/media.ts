/** Inline bytes: base64 (standard or URL-safe) and data URLs, decoded without node-only APIs. */

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes base64; null when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, '');
  if (!BASE64.test(clean) || clean.length % 4 === 1) return null;
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (NodeBuffer) {
    const buf = NodeBuffer.from(clean, 'base64');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const binary = atob(clean.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export interface DataUrl {
  mimeType: string;
  data: Uint8Array;
}

/** Parses `data:[<type>][;base64],<data>`; null when it is not a well-formed data URL. */
export function parseDataUrl(url: string): DataUrl | null {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma === -1) return null;
  const meta = url.slice(5, comma).split(';');
  const isBase64 = meta[meta.length - 1]?.toLowerCase() === 'base64';
  const mimeType = (meta[0] || 'text/plain').toLowerCase();
  const payload = url.slice(comma + 1);
  if (isBase64) {
    const data = decodeBase64(payload);
    return data ? { mimeType, data } : null;
  }
  try {
    return { mimeType, data: new TextEncoder().encode(decodeURIComponent(payload)) };
  } catch {
    return null;
  }
}

/**
 * The longest file name stored, in UTF-16 units: its download header (ASCII fallback plus the UTF-8
 * percent-encoded name, at most 9 characters a unit) then stays far under clients' 16 KiB header limit.
 */
export const MAX_FILENAME_LENGTH = 255;

/** The longest media type accepted (RFC 6838 allows 127 characters for each of type and subtype). */
export const MAX_MEDIA_TYPE_LENGTH = 255;

/** RFC 7231 `type "/" subtype`, both tokens; the classes exclude `/`, so matching is linear. */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** Whether `mimeType` is a bare `type/subtype` that can be sent as a content-type. */
export function isValidMediaType(mimeType: string): boolean {
  return mimeType.length <= MAX_MEDIA_TYPE_LENGTH && MEDIA_TYPE.test(mimeType);
}

// Maps, not object literals: a name like `notes.constructor` must not find Object.prototype's members.
const MIME_BY_EXTENSION = new Map<string, string>(
  Object.entries({
    pdf: 'application/pdf',
    txt: 'text/plain',
    md: 'text/markdown',
    markdown: 'text/markdown',
    json: 'application/json',
    csv: 'text/csv',
    html: 'text/html',
    xml: 'application/xml',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    wav: 'audio/wav',
    mp3: 'audio/mpeg',
  }),
);

const EXTENSION_BY_MIME = new Map<string, string>([...MIME_BY_EXTENSION].map(([ext, mime]) => [mime, ext]));

export function mimeFromFilename(filename: string | undefined): string {
  const ext = filename?.split('.').pop()?.toLowerCase();
  return (ext && MIME_BY_EXTENSION.get(ext)) || 'application/octet-stream';
}

export function extensionForMime(mimeType: string): string {
  return EXTENSION_BY_MIME.get(mimeType) ?? 'bin';
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
