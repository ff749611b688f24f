import { type FilePart, type ImageUrlPart, MAX_REQUEST_BYTES, type TextPart } from '@threadline/protocol';
import { RequestTooLargeError, ThreadlineError } from './core/errors';
import { toBase64, toBytes } from './internal/base64';

/** Bytes in any form the helpers accept. */
export type BinarySource = Blob | ArrayBuffer | ArrayBufferView;

export interface ImagePartOptions {
  /** Defaults to the Blob's type, else sniffed from the bytes (PNG, JPEG, GIF, WebP). */
  mimeType?: string;
  detail?: 'auto' | 'low' | 'high';
}

export interface FilePartOptions {
  /** Defaults to a File's name. */
  filename?: string;
  /** Defaults to the Blob's type, else sniffed (PDF, PNG, JPEG, GIF, WebP), else application/octet-stream. */
  mimeType?: string;
  /** Used to download an http(s) URL given as the source. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export const textPart = (text: string): TextPart => ({ type: 'text', text });

/**
 * An `image_url` part. An http(s) URL is passed by reference (the server does not store it); bytes or a
 * Blob become a base64 data URL (stored by the server as a file). Over the 32 MB limit → RequestTooLargeError.
 */
export async function imagePart(
  source: BinarySource | URL | string,
  options: ImagePartOptions = {},
): Promise<ImageUrlPart> {
  let url: string;
  if (typeof source === 'string' || source instanceof URL) {
    url = checkURL(String(source), 'image');
  } else {
    url = await dataURL(source, options.mimeType);
  }
  checkSize(url.length);
  const part: ImageUrlPart = { type: 'image_url', image_url: { url } };
  if (options.detail) part.image_url.detail = options.detail;
  return part;
}

/**
 * A `file` part, inlined as base64 `file_data` (the server stores it). An http(s) URL is downloaded first,
 * since a file part cannot point at one. Over the 32 MB limit → RequestTooLargeError, nothing sent.
 */
export async function filePart(
  source: BinarySource | URL | string,
  options: FilePartOptions = {},
): Promise<FilePart> {
  let fileData: string;
  let filename =
    options.filename ?? (source instanceof Blob && 'name' in source ? String(source.name) : undefined);
  if (typeof source === 'string' || source instanceof URL) {
    const text = checkURL(String(source), 'file');
    if (text.startsWith('data:')) fileData = text;
    else {
      const response = await (options.fetch ?? globalThis.fetch)(text);
      if (!response.ok) throw new ThreadlineError(`could not download ${text}: HTTP ${response.status}`);
      const length = Number(response.headers.get('content-length'));
      if (length) checkSize(encodedLength(length));
      const blob = await response.blob();
      filename ??= new URL(text).pathname.split('/').pop() || undefined;
      fileData = await dataURL(blob, options.mimeType ?? (blob.type || undefined));
    }
  } else {
    fileData = await dataURL(source, options.mimeType);
  }
  checkSize(fileData.length);
  const part: FilePart = { type: 'file', file: { file_data: fileData } };
  if (filename) part.file.filename = filename;
  return part;
}

function checkURL(text: string, kind: string): string {
  if (/^(https?|data):/i.test(text)) return text;
  throw new ThreadlineError(
    `an ${kind} part needs an http(s) URL, a data: URL, bytes or a Blob; got ${JSON.stringify(text.slice(0, 40))}`,
  );
}

const encodedLength = (bytes: number) => Math.ceil(bytes / 3) * 4;

function checkSize(length: number): void {
  if (length > MAX_REQUEST_BYTES) throw new RequestTooLargeError(length);
}

async function dataURL(source: BinarySource, mimeType?: string): Promise<string> {
  const size = source instanceof Blob ? source.size : source.byteLength;
  // Refuse before reading or encoding anything: base64 grows the bytes by a third.
  checkSize(encodedLength(size));
  const bytes = await toBytes(source);
  const type = mimeType ?? ((source instanceof Blob && source.type) || sniff(bytes));
  return `data:${type};base64,${toBase64(bytes)}`;
}

const SIGNATURES: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['application/pdf', [0x25, 0x50, 0x44, 0x46]],
];

function sniff(bytes: Uint8Array): string {
  for (const [type, signature] of SIGNATURES) {
    if (signature.every((byte, i) => bytes[i] === byte)) return type;
  }
  const riff = String.fromCharCode(...bytes.subarray(0, 4)) + String.fromCharCode(...bytes.subarray(8, 12));
  return riff === 'RIFFWEBP' ? 'image/webp' : 'application/octet-stream';
}
