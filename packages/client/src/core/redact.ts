// Secrets must never reach a log line or an error message: header values by name, and the caller's own
// credential wherever a server may have echoed it back.
const SECRET_HEADER = /authorization|cookie|api[-_]?key|token|secret|password|signature/i;

export const MASK = '***';

export const isSecretHeader = (name: string): boolean => SECRET_HEADER.test(name);

/** A copy of the headers with every secret-bearing value masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) out[name] = isSecretHeader(name) ? MASK : headers[name]!;
  return out;
}

/** Response headers without the secret-bearing ones (set-cookie and friends), for error objects. */
export function safeResponseHeaders(headers: Headers): Headers {
  const out = new Headers();
  headers.forEach((value, name) => {
    if (!isSecretHeader(name)) out.set(name, value);
  });
  return out;
}

/** Replaces every occurrence of the given secrets (and `Bearer <x>` values) in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(bearer\s+)[^\s"',;]+/gi, `$1${MASK}`);
  for (const secret of secrets) {
    // Short values would mask innocent words; a credential is never this short.
    if (secret.length >= 6) out = out.split(secret).join(MASK);
  }
  return out;
}
