import { ERROR_CODES } from '@threadline/protocol';
import { HttpError, invalidValue } from '../internal/errors';
import { parseBoundedJson } from '../internal/json';
import { extractPdfText } from './pdf';

const unsupported = (name: string, why: string) =>
  new HttpError({
    status: 415,
    code: ERROR_CODES.unsupportedMediaType,
    message: `Cannot ingest ${name}: ${why}. Send text, Markdown, JSON or a PDF with text.`,
  });

/** JSON as `path: value` lines, so every leaf is a sentence retrieval can find. */
function flattenJson(value: unknown, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      flattenJson(item, `${path}[${index}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flattenJson(item, path ? `${path}.${key}` : key, out);
  } else {
    const text = String(value);
    out.push(path ? `${path}: ${text}` : text);
  }
}

/** The text of one ingested file, by its name (extension) and content; typed errors otherwise. */
export async function extractText(name: string, bytes: Uint8Array): Promise<string> {
  const isPdf = /\.pdf$/i.test(name) || new TextDecoder('latin1').decode(bytes.subarray(0, 5)) === '%PDF-';
  if (isPdf) {
    const { inflateSync } = await import('node:zlib');
    const text = extractPdfText(bytes, (data) => inflateSync(data));
    if (!text.trim()) throw unsupported(name, 'the PDF carries no extractable text (scanned pages?)');
    return text;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unsupported(name, 'it is not UTF-8 text');
  }
  if (text.includes('\u0000')) throw unsupported(name, 'it looks binary');
  if (/\.json$/i.test(name)) {
    let value: unknown;
    try {
      // Deeper than MAX_JSON_DEPTH is 400 json_too_deep, checked before parsing (flattening recurses).
      value = parseBoundedJson(text, name);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw invalidValue(null, `${name} is not valid JSON: ${(error as Error).message}`);
    }
    const lines: string[] = [];
    flattenJson(value, '', lines);
    return lines.join('\n');
  }
  // Known text formats and anything else that decodes as UTF-8 text are ingested as text.
  return text;
}

/** Cuts text into chunks of whole sentences (about `size` characters), paragraph by paragraph. */
export function chunkText(text: string, size = 800): string[] {
  const chunks: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let current = '';
    for (const sentence of paragraph.split(/(?<=[.!?])\s+|\n/)) {
      const piece = sentence.trim();
      if (!piece) continue;
      if (current && current.length + piece.length + 1 > size) {
        chunks.push(current);
        current = '';
      }
      current = current ? `${current}\n${piece}` : piece;
    }
    if (current) chunks.push(current);
  }
  return chunks;
}
