const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * A key that is the same on every re-send of one call (`ai` re-sends after an in-stream error when
 * `streamRetries` is set) and differs between calls: SHA-256 over the scope headers and the body as
 * sent. Web Crypto, so it works in Node and edge runtimes alike.
 */
export async function idempotencyKey(scopeHeaders: Record<string, string>, body: unknown): Promise<string> {
  const scope = Object.keys(scopeHeaders)
    .sort()
    .map((name) => [name, scopeHeaders[name]]);
  const text = JSON.stringify([scope, body]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `tl-ai-${hex(digest)}`;
}
