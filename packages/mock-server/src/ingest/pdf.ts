/**
 * Text out of a PDF, small and dependency-free: every content stream (inflated when FlateDecode) is
 * scanned for text-showing operators (`Tj`, `TJ`, `'`, `"`) inside `BT … ET`. Enough for PDFs that
 * carry their text as strings (what generators of reports and invoices produce); scanned images and
 * custom-encoded fonts yield nothing, which the caller reports as an error.
 */
export function extractPdfText(bytes: Uint8Array, inflate: (data: Uint8Array) => Uint8Array): string {
  const latin1 = new TextDecoder('latin1').decode(bytes);
  const pages: string[] = [];
  const streamPattern = /stream\r?\n/g;
  // A stream's dictionary lies after the previous stream: looking back no further keeps this linear.
  let previousEnd = 0;
  for (let match = streamPattern.exec(latin1); match; match = streamPattern.exec(latin1)) {
    const start = match.index + match[0].length;
    const end = latin1.indexOf('endstream', start);
    if (end === -1) break;
    const before = latin1.slice(previousEnd, match.index);
    const dictionary = before.slice(Math.max(0, before.lastIndexOf('<<')));
    previousEnd = end;
    let data = bytes.subarray(start, end);
    if (/\/FlateDecode/.test(dictionary)) {
      try {
        data = inflate(trimEol(data));
      } catch {
        streamPattern.lastIndex = end;
        continue;
      }
    } else if (/\/Filter/.test(dictionary)) {
      streamPattern.lastIndex = end;
      continue;
    }
    const text = textOfContent(new TextDecoder('latin1').decode(data));
    if (text.trim()) pages.push(text.trim());
    streamPattern.lastIndex = end;
  }
  return pages.join('\n\n');
}

function trimEol(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && (data[end - 1] === 0x0a || data[end - 1] === 0x0d)) end--;
  return data.subarray(0, end);
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** Reads a literal string `( … )` starting at `at` (the `(`); returns its text and the index after it. */
function literal(src: string, at: number): [string, number] {
  let depth = 0;
  let out = '';
  for (let i = at; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\\') {
      const next = src[i + 1] ?? '';
      if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
        out += String.fromCharCode(Number.parseInt(octal, 8));
        i += octal.length;
      } else if (next === '\r' || next === '\n') {
        i += next === '\r' && src[i + 2] === '\n' ? 2 : 1;
      } else {
        out += ESCAPES[next] ?? next;
        i++;
      }
    } else if (ch === '(') {
      if (depth++ > 0) out += ch;
    } else if (ch === ')') {
      if (--depth === 0) return [out, i + 1];
      out += ch;
    } else {
      out += ch;
    }
  }
  return [out, src.length];
}

function hexString(hex: string): string {
  const digits = hex.replace(/[^0-9a-fA-F]/g, '');
  const padded = digits.length % 2 ? `${digits}0` : digits;
  let out = '';
  for (let i = 0; i < padded.length; i += 2)
    out += String.fromCharCode(Number.parseInt(padded.slice(i, i + 2), 16));
  // Two-byte (UTF-16BE) strings start with a byte-order mark.
  if (out.startsWith('\u00fe\u00ff')) {
    let utf16 = '';
    for (let i = 2; i + 1 < out.length; i += 2)
      utf16 += String.fromCharCode((out.charCodeAt(i) << 8) | out.charCodeAt(i + 1));
    return utf16;
  }
  return out;
}

/** The text a content stream shows, with line breaks where it moves to a new line. */
function textOfContent(src: string): string {
  let out = '';
  let pending: string[] = [];
  let inArray = false;
  for (let i = 0; i < src.length; ) {
    const ch = src[i]!;
    if (ch === '(') {
      const [text, next] = literal(src, i);
      pending.push(text);
      i = next;
    } else if (ch === '<' && src[i + 1] !== '<') {
      const close = src.indexOf('>', i);
      pending.push(hexString(src.slice(i + 1, close === -1 ? src.length : close)));
      i = close === -1 ? src.length : close + 1;
    } else if (ch === '[') {
      inArray = true;
      i++;
    } else if (ch === ']') {
      inArray = false;
      i++;
    } else if (/[-\d.]/.test(ch) && inArray) {
      const number = /^-?[\d.]+/.exec(src.slice(i));
      // A large negative kerning inside TJ stands for a space between words.
      if (number && Number(number[0]) < -200) pending.push(' ');
      i += number ? number[0].length : 1;
    } else if (/[A-Za-z'"*]/.test(ch)) {
      const op = /^[A-Za-z'"*]+/.exec(src.slice(i))![0];
      i += op.length;
      if (op === 'Tj' || op === 'TJ') out += pending.join('');
      else if (op === "'" || op === '"') out += `\n${pending.join('')}`;
      else if (op === 'Td' || op === 'TD' || op === 'T*' || op === 'ET') out += '\n';
      if (!inArray) pending = [];
    } else {
      i++;
    }
  }
  return trimLineEnds(out).replace(/\n{3,}/g, '\n\n');
}

/** Drops spaces and tabs before each line break (a regex for this backtracks on long blank runs). */
function trimLineEnds(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
    if (end < line.length) lines[i] = line.slice(0, end);
  }
  return lines.join('\n');
}
