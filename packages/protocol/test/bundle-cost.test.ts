import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const schemasEntry = fileURLToPath(new URL('../src/schemas/index.ts', import.meta.url));
const ZOD_CODE = /ZodError|\$ZodType|_zod/;

/** The minified bundle of `source`, and every file esbuild had to read to build it. */
async function bundle(source: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    metafile: true,
    // What a client compiled with verbatimModuleSyntax emits: `import { type X }` stays a bare import.
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    alias: { '@threadline/protocol/schemas': schemasEntry, '@threadline/protocol': entry },
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile!.inputs) };
}

describe('what importing the protocol costs a bundle', () => {
  it('costs nothing for types', async () => {
    const { code } = await bundle(
      "import type { ChatCompletion, ChatCompletionChunk } from '@threadline/protocol';\n" +
        'export const f = (c: ChatCompletion, k: ChatCompletionChunk) => [c.id, k.id];',
    );
    expect(code).not.toMatch(/zod|ZodError|createParser/);
    expect(code.length).toBeLessThan(200);
  });

  it('costs nothing for the Responses types', async () => {
    const { code } = await bundle(
      "import type { ResponseResource, ResponsesStreamEvent, ResponseCreateMessage } from '@threadline/protocol';\n" +
        'export const f = (r: ResponseResource, e: ResponsesStreamEvent, m: ResponseCreateMessage) =>\n' +
        '  [r.id, e.sequence_number, m.type];',
    );
    expect(code).not.toMatch(/zod|ZodError|createParser/);
    expect(code.length).toBeLessThan(200);
  });

  it('costs nothing for inline type imports, which stay behind as a bare import', async () => {
    const { code } = await bundle(
      "import { type ChatCompletion } from '@threadline/protocol';\n" +
        'export const f = (c: ChatCompletion) => c.id;',
    );
    expect(code.length).toBeLessThan(100);
  });

  it('keeps zod out when only runtime helpers are used', async () => {
    const { code } = await bundle(
      "import { parseErrorBody, DIALECTS, formatApprovalId } from '@threadline/protocol';\n" +
        'console.log(parseErrorBody, DIALECTS, formatApprovalId);',
    );
    expect(code).toContain('model_not_found');
    expect(code).not.toMatch(ZOD_CODE);
  });

  it('never reaches zod from the main entry, even for a bundler that does not tree-shake', async () => {
    // Tree-shaking would hide a schema re-exported from the main entry; the module graph does not.
    const { inputs } = await bundle(
      "import * as protocol from '@threadline/protocol';\nconsole.log(Object.keys(protocol));",
    );
    expect(inputs.some((file) => file.includes('src/sse.ts'))).toBe(true);
    expect(inputs.filter((file) => /[\\/]zod[\\/@]/.test(file))).toEqual([]);
  });

  it('brings zod in once a schema is used (so the checks above can see it)', async () => {
    const { code, inputs } = await bundle(
      "import { chatCompletionSchema } from '@threadline/protocol/schemas';\n" +
        'console.log(chatCompletionSchema.parse({}));',
    );
    expect(code).toMatch(ZOD_CODE);
    expect(inputs.some((file) => /[\\/]zod[\\/@]/.test(file))).toBe(true);
  });
});
