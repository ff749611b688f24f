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

// The READMEs' client snippets, run as a reader would run them: type-checked with the repo's compiler
// settings, then executed by Node against the reference server with its demo set (what `pnpm mock`
// serves). A snippet that stops compiling, stops running or stops printing what it claims fails here.

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SERVER = 'http://localhost:8787';

/** The ```ts blocks of a markdown file that use the client. */
function clientBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1]!)
    .filter((code) => code.includes("from '@threadline/client'"));
}

/** What a block says it prints: the text after `// → ` on its lines. */
const claims = (code: string) => [...code.matchAll(/\/\/ → (.+)$/gm)].map((match) => match[1]!.trim());

const rootBlocks = clientBlocks(readFileSync(here('../../../README.md'), 'utf8'));
const packageBlocks = clientBlocks(readFileSync(here('../README.md'), 'utf8'));
const streaming = rootBlocks.find(
  (code) => code.includes('chat.completions.create') && code.includes('for await'),
);
const responsesStream = rootBlocks.find(
  (code) => code.includes('responses.create') && code.includes('for await'),
);
const approval = rootBlocks.find((code) => code.includes('approvals.approve') && code.includes('.resume('));

/** Type errors of the blocks, compiled as modules that import the client's sources. */
function typeErrors(blocks: string[]): string[] {
  const root = here('../../..');
  const config = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    noEmit: true,
    paths: { '@threadline/client': [here('../src/index.ts')] },
  };
  const files = new Map(blocks.map((code, i) => [here(`./readme-block-${i}.ts`), code]));
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
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file?.fileName.split('/').pop()}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('README snippets', () => {
  let ref: Awaited<ReturnType<typeof realServer>>;
  let dir: string;
  beforeAll(async () => {
    ref = await realServer(); // no config: the demo set, as `pnpm mock` serves it
    dir = mkdtempSync(join(tmpdir(), 'threadline-readme-'));
  });
  afterAll(async () => {
    await ref.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Bundles a block against the client's sources and runs it with Node; returns what it printed. */
  async function execute(code: string, name: string): Promise<string> {
    const result = await build({
      stdin: { contents: code.replaceAll(SERVER, ref.url), loader: 'ts', resolveDir: here('.') },
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
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, result.outputFiles[0]!.text);
    return (await run(process.execPath, [file], { timeout: 15_000 })).stdout;
  }

  it('the root README shows five-line streaming examples (chat and responses) and an approval round trip', () => {
    expect(streaming, 'a ```ts block that streams with for await').toBeDefined();
    expect(responsesStream, 'a ```ts block that streams responses with for await').toBeDefined();
    expect(responsesStream!.split('\n').filter((line) => line.trim() !== '')).toHaveLength(5);
    expect(approval, 'a ```ts block with approvals.approve and resume').toBeDefined();
    expect(streaming!.split('\n').filter((line) => line.trim() !== '')).toHaveLength(5);
    expect(approval).toMatch(/approvals\.pending\(/);
    for (const code of rootBlocks) expect(code).toContain(SERVER);
  });

  it('the package README shows the same snippets', () => {
    expect(packageBlocks).toEqual(expect.arrayContaining([streaming, responsesStream, approval]));
  });

  it('every snippet type-checks against the client', () => {
    expect(typeErrors([...new Set([...rootBlocks, ...packageBlocks])])).toEqual([]);
  });

  it.each([
    ['streaming', () => streaming],
    ['responses streaming', () => responsesStream],
    ['approval round trip', () => approval],
  ])('the %s snippet runs against the demo server and prints what it claims', async (name, block) => {
    const code = block()!;
    expect(claims(code).length).toBeGreaterThan(0);
    const stdout = await execute(code, name.replace(/\W+/g, '-'));
    for (const claim of claims(code)) expect(stdout).toContain(claim);
  });
});
