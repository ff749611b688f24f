import { deflateSync } from 'node:zlib';

/** A minimal one-page PDF whose content stream (deflated) shows `lines` with Tj and TJ operators. */
export function makePdf(lines: string[]): Uint8Array<ArrayBuffer> {
  const pdfString = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const ops = lines.map((line, i) => {
    const words = line.split(' ');
    // Odd lines use TJ with kerning gaps for spaces; even lines a plain Tj.
    return i % 2
      ? `[${words.map((w) => `(${pdfString(w)})`).join(' -300 ')}] TJ T*`
      : `(${pdfString(line)}) Tj T*`;
  });
  const content = `BT /F1 12 Tf 72 720 Td 14 TL\n${ops.join('\n')}\nET`;
  const stream = deflateSync(Buffer.from(content, 'latin1'));
  const head = Buffer.from(
    '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
      '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
      '3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n' +
      `4 0 obj << /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`,
    'latin1',
  );
  const tail = Buffer.from('\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
  const all = Buffer.concat([head, stream, tail]);
  const out = new Uint8Array(all.byteLength);
  out.set(all);
  return out;
}
