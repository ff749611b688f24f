// The `encrypted_content` of a compaction item: an opaque, signed encoding of a conversation that only
// the server that issued it reads back. Not secret (base64url of JSON), but tamper-evident: an HMAC
// under the server's key-id secret covers the version tag and the payload, so any edit is a clean 400
// before the payload is even decoded. Runs without node-only APIs (edge runtimes use the core too).
import type { ChatMessage } from '@threadline/protocol/schemas';
import { invalidValue } from './errors';
import { hmacSha256Hex } from './hmac';
import { parseBoundedJson } from './json';

/** The version tag every encoding starts with; a later format takes a new tag. */
export const COMPACTION_TAG = 'tlc1';

interface CompactionPayload {
  v: 1;
  /** Whose conversation it is: another caller's compaction is refused, as its chain would be. */
  owner: string;
  messages: ChatMessage[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const nodeCrypto = runtime?.getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;

/**
 * HMAC-SHA256 in hex: node:crypto where there is one (a forged 30 MB item costs milliseconds, not
 * seconds of the pure-JS digest), else the portable one (edge runtimes).
 */
function sign(key: Uint8Array, message: string): string {
  if (nodeCrypto) return nodeCrypto.createHmac('sha256', key).update(message, 'utf8').digest('hex');
  return hmacSha256Hex(key, message);
}

function toBase64Url(bytes: Uint8Array): string {
  if (NodeBuffer)
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  let binary = '';
  // In slices, so a large payload never becomes one huge argument list.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  if (NodeBuffer) {
    const buf = NodeBuffer.from(text, 'base64url');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Equal-length comparison that does not stop at the first difference. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** `tlc1.<base64url(JSON)>.<hex HMAC-SHA256 of "tlc1.<payload>">`. */
export function encodeCompaction(key: Uint8Array, owner: string, messages: ChatMessage[]): string {
  const payload: CompactionPayload = { v: 1, owner, messages };
  const body = `${COMPACTION_TAG}.${toBase64Url(encoder.encode(JSON.stringify(payload)))}`;
  return `${body}.${sign(key, body)}`;
}

/**
 * The conversation a compaction stands for. Anything this server did not issue to `owner` (another
 * format, an edited payload or signature, another caller's) is a 400 at `param`.
 */
export function decodeCompaction(
  key: Uint8Array,
  owner: string,
  content: string,
  param: string,
): ChatMessage[] {
  const refused = (why: string) =>
    invalidValue(param, `encrypted_content is not a compaction this server issued to you (${why}).`);
  const dot = content.lastIndexOf('.');
  if (!content.startsWith(`${COMPACTION_TAG}.`) || dot <= COMPACTION_TAG.length) {
    throw refused('unknown format');
  }
  const body = content.slice(0, dot);
  if (!sameDigest(content.slice(dot + 1), sign(key, body))) throw refused('signature mismatch');
  const bytes = fromBase64Url(body.slice(COMPACTION_TAG.length + 1));
  if (!bytes) throw refused('not base64url');
  let payload: CompactionPayload;
  try {
    payload = parseBoundedJson(decoder.decode(bytes), 'encrypted_content', param) as CompactionPayload;
  } catch {
    throw refused('unreadable payload');
  }
  if (payload?.v !== 1 || !Array.isArray(payload.messages)) throw refused('unknown version');
  if (payload.owner !== owner) throw refused('issued to another caller');
  return payload.messages;
}
