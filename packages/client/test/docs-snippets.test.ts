import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realServer } from './support/server';

// The approval snippets of docs/client.md are fragments: they use a `client`, the `messages` so far, the
// user's choice and their question. Each is given those (the lines below), then type-checked with the
// repository's compiler settings (noUncheckedIndexedAccess among them) and run against the reference
// server's demo set, as a reader pasting it into a file of their own would.

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SERVER = 'http://localhost:8787';
const PREAMBLE = [
  "import { Threadline } from '@threadline/client';",
  `const client = new Threadline({ baseURL: '${SERVER}' });`,
  "const ask = 'Please delete the draft Q3-plan.';",
  "const messages = [{ role: 'user' as const, content: ask }];",
  'const userAgrees = true as boolean;',
  '',
].join('\n');

const doc = readFileSync(here('../../../docs/client.md'), 'utf8');
const blocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
  .map((match) => match[1]!)
  .filter((code) => code.includes('approvals.pending('));

function typeErrors(files: Map<string, string>): string[] {
  const root = here('../../..');
  const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    noEmit: true,
    paths: { '@threadline/client': [here('../src/index.ts')] },
  };
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => {
    const code = files.get(name);
    return code === undefined
      ? getSourceFile.call(host, name, language, ...rest)
      : ts.createSourceFile(name, code, language);
  };
  host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
  host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    return `${d.file?.fileName.split('/').pop()}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('docs/client.md approval snippets', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let dir: string;
  beforeAll(async () => {
    ref = await realServer();
    dir = mkdtempSync(join(tmpdir(), 'threadline-docs-'));
  });
  afterAll(async () => {
    await ref.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are found: chat, chat on a thread, responses', () => {
    expect(blocks).toHaveLength(3);
    expect(blocks.filter((code) => code.includes('chat.completions.resume'))).toHaveLength(2);
    expect(blocks.filter((code) => code.includes('responses.resume'))).toHaveLength(1);
  });

  it('type-check under the repository settings, noUncheckedIndexedAccess included', () => {
    const files = new Map(blocks.map((code, i) => [here(`./docs-block-${i}.ts`), `${PREAMBLE}${code}`]));
    const base = ts.readConfigFile(here('../../../tsconfig.base.json'), ts.sys.readFile).config;
    expect(base.compilerOptions.noUncheckedIndexedAccess).toBe(true);
    expect(typeErrors(files)).toEqual([]);
  }, 120_000);

  it.each(blocks.map((code, i) => [i, code] as const))(
    'block %i runs against the demo server',
    async (i, code) => {
      const result = await build({
        stdin: {
          contents: `${PREAMBLE}${code}`.replaceAll(SERVER, ref.url),
          loader: 'ts',
          resolveDir: here('.'),
        },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        alias: {
          '@threadline/client': here('../src/index.ts'),
          '@threadline/protocol': here('../../protocol/src/index.ts'),
        },
        logLevel: 'silent',
      });
      const file = join(dir, `block-${i}.mjs`);
      writeFileSync(file, result.outputFiles[0]!.text);
      await expect(run(process.execPath, [file], { timeout: 15_000 })).resolves.toBeDefined();
    },
  );
});
