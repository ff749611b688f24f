import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));

async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    alias: { '@threadline/protocol': entry },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('what importing the protocol costs a bundle', () => {
  it('costs nothing for types', async () => {
    const code = await bundle(
      "import type { ChatCompletion, ChatCompletionChunk } from '@threadline/protocol';\n" +
        'export const f = (c: ChatCompletion, k: ChatCompletionChunk) => [c.id, k.id];',
    );
    expect(code).not.toMatch(/zod|ZodError|createParser/);
    expect(code.length).toBeLessThan(200);
  });

  it('keeps zod out when only runtime helpers are used', async () => {
    const code = await bundle(
      "import { parseErrorBody, DIALECTS, formatApprovalId } from '@threadline/protocol';\n" +
        'console.log(parseErrorBody, DIALECTS, formatApprovalId);',
    );
    expect(code).toContain('model_not_found');
    expect(code).not.toMatch(/ZodError|\$ZodType|_zod/);
  });
});
