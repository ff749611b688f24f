import type { RecordedRequest } from '../runner/types';

/** Headers whose values are credentials: shown masked in every report. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie']);

export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = value;
    else out[name] = /^bearer\s/i.test(value) ? 'Bearer ****' : '****';
  }
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Shell quoting: POSIX single quotes, or bash's `$'…'` when the text holds newlines or other control
 * characters, so every repro stays on one line and pastes intact.
 */
function quote(text: string): string {
  if (!CONTROL.test(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  let escaped = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === "'") escaped += `\\${c}`;
    else if (c === '\n') escaped += '\\n';
    else if (c === '\r') escaped += '\\r';
    else if (c === '\t') escaped += '\\t';
    else if (code < 0x20 || code === 0x7f) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else escaped += c;
  }
  return `$'${escaped}'`;
}

/** A curl command that sends the recorded request again (credentials already masked in the record). */
export function toCurl(request: RecordedRequest): string {
  const parts = ['curl', '-sS'];
  if (request.stream) parts.push('-N');
  if (request.method !== 'GET' || request.body !== undefined || request.bodyBytes !== undefined) {
    parts.push('-X', request.method);
  }
  parts.push(quote(request.url));
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push('--data-binary', quote(request.body));
  else if (request.bodyBytes !== undefined) {
    // Large bodies (the size-limit check) are filler: regenerate them instead of printing megabytes.
    parts.push('--data-binary', `@<(head -c ${request.bodyBytes} /dev/zero)`);
  }
  return parts.join(' ');
}
