// Declarations emitted by one TypeScript program that checks every file in a fixed order, for tsup to bundle.
// tsup's own dts pass emits each file as rollup happens to load it, so inferred unions came out in a
// different order from build to build (and the shared chunk got a new hash): builds were not reproducible.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Emits the declarations of a package's entries (run from the package's directory) into
 * .declarations/ (outside node_modules, which the bundler would take for a third-party package), and returns tsup `dts.entry` naming the emitted files.
 * Sibling packages resolve through their built `dist`, as a user's install does, so none of their
 * sources is emitted here. Throws on a type error.
 * @param {Record<string, string>} entries  output name → source file, as in tsup's `entry`
 * @returns {Record<string, string>}
 */
export function declarations(entries) {
  const cwd = process.cwd();
  const outDir = join(cwd, '.declarations');
  // Found from the package up, not from this file: tsup bundles its config, so this module's own URL
  // is the package's, not scripts/.
  const base = ts.findConfigFile(cwd, ts.sys.fileExists, 'tsconfig.base.json');
  if (base === undefined) throw new Error(`no tsconfig.base.json above ${cwd}`);
  const config = ts.readConfigFile(base, ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(base));
  const program = ts.createProgram(
    Object.values(entries).map((file) => join(cwd, file)),
    {
      ...options,
      customConditions: [],
      rootDir: join(cwd, 'src'),
      outDir,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      declarationMap: false,
      noEmitOnError: true,
    },
  );
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => '\n' };
    throw new Error(ts.formatDiagnostics(diagnostics, host));
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = program.emit();
  if (result.emitSkipped) throw new Error(`declarations for ${cwd} were not emitted`);
  return Object.fromEntries(
    Object.entries(entries).map(([name, file]) => [
      name,
      relative(cwd, join(outDir, relative('src', file).replace(/\.ts$/, '.d.ts'))),
    ]),
  );
}
