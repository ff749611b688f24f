import { basename, join } from 'node:path';
import ts from 'typescript';

/** The ```ts blocks of a markdown file. */
export const tsBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);

/** What a block says it prints: the text after `// → ` on its lines. */
export const claims = (code: string): string[] =>
  [...code.matchAll(/\/\/ → (.+)$/gm)].map((match) => match[1]!.trim());

/** The bare module specifiers a block imports. */
export const imports = (code: string): string[] =>
  [...code.matchAll(/^import [^;]*? from '([^']+)';$/gm)].map((match) => match[1]!);

/**
 * A block a reader can paste into a file of its own and run: it imports what it uses, only from packages
 * the app has installed. Fragments (a call without its imports) are read in context, not run.
 */
export const standalone = (code: string, installed: readonly string[]): boolean => {
  const specifiers = imports(code);
  const packageOf = (s: string) =>
    s
      .split('/')
      .slice(0, s.startsWith('@') ? 2 : 1)
      .join('/');
  return specifiers.length > 0 && specifiers.every((s) => installed.includes(packageOf(s)));
};

/** The README's server address, replaced by the one the test's server listens on. */
export const pointAt = (code: string, url: string): string =>
  code.replaceAll(/http:\/\/(?:localhost|127\.0\.0\.1):8787/g, url);

/**
 * The blocks that declare or import every name they use, by TypeScript's reading ("Cannot find name" is
 * a fragment that leans on an earlier block, read in context rather than run). Checked in `app`, where
 * the packages resolve as installed.
 */
export function selfContained(app: string, files: string[]): Set<string> {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2023,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const program = ts.createProgram(
    files.map((f) => join(app, f)),
    options,
  );
  const fragments = new Set(
    program
      .getSemanticDiagnostics()
      .filter((d) => d.code === 2304 && d.file)
      .map((d) => basename(d.file!.fileName)),
  );
  return new Set(files.filter((f) => !fragments.has(f)));
}
