/** Header values built from stored user text, made safe to send (RFC 6266 / RFC 5987, RFC 7230). */

const encoder = new TextEncoder();

/** RFC 5987 attr-char: the bytes a `filename*` value may hold unencoded. */
function isAttrChar(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x21 || // !
    byte === 0x23 || // #
    byte === 0x24 || // $
    byte === 0x26 || // &
    byte === 0x2b || // +
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5e || // ^
    byte === 0x5f || // _
    byte === 0x60 || // `
    byte === 0x7c || // |
    byte === 0x7e // ~
  );
}

const HEX = '0123456789ABCDEF';

/**
 * `name` as an RFC 5987 ext-value body: UTF-8, every byte outside attr-char percent-encoded. TextEncoder
 * turns a lone surrogate into U+FFFD, so no name can make this throw (encodeURIComponent would).
 */
export function percentEncodeUtf8(name: string): string {
  let out = '';
  for (const byte of encoder.encode(name)) {
    out += isAttrChar(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/** The quoted-string fallback: printable ASCII kept, anything else (and `"`, `\`) as `_`, per character. */
export function asciiFallback(name: string): string {
  let out = '';
  for (const char of name) {
    const code = char.codePointAt(0)!;
    out += code >= 0x20 && code <= 0x7e && char !== '"' && char !== '\\' ? char : '_';
  }
  return out;
}

/** `attachment` with an ASCII `filename` for old clients and the exact name in `filename*`. */
export function attachmentDisposition(filename: string): string {
  return `attachment; filename="${asciiFallback(filename)}"; filename*=UTF-8''${percentEncodeUtf8(filename)}`;
}

/**
 * Whether node (and fetch) can send `value` as a header value: tab and bytes 0x20–0xFF except DEL
 * (RFC 7230 field-content, which node checks and throws "Invalid character in header content" on).
 */
export function isSendableHeaderValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f || code > 0xff) return false;
  }
  return true;
}

/** RFC 7230 token: what a header name may be made of (node throws on anything else). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** The first header of `headers` whose name or value node could not send, or null when all can be sent. */
export function unsendableHeader(headers: Record<string, string>): string | null {
  for (const name in headers) {
    if (!HEADER_NAME.test(name) || !isSendableHeaderValue(String(headers[name]))) return name;
  }
  return null;
}
