#!/usr/bin/env node
// The command's entry point. The CLI itself is built into dist/ (always there in the published
// package); a checkout that was never built has no dist/, which gets one line instead of a stack trace.
// So does a checkout whose embedded reference server (@threadline/mock-server) has no dist/ yet.
// Any other failure, a missing module further down included, passes through untouched.
const cli = new URL('../dist/cli.js', import.meta.url);
const SERVER = '@threadline/mock-server';

/** Where a package this CLI imports resolves to; null when it is not installed at all. */
function resolved(specifier) {
  try {
    return import.meta.resolve(specifier);
  } catch {
    return null;
  }
}

try {
  await import(cli.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || typeof error.url !== 'string') throw error;
  let missing;
  if (error.url === cli.href) missing = 'dist/cli.js';
  else if (error.url === resolved(SERVER)) missing = `${SERVER}'s dist/${error.url.split('/dist/').pop()}`;
  else throw error;
  process.stderr.write(
    `threadline-conformance: ${missing} is missing (not built yet): run \`npx -y pnpm@12 run build\` first, in the repository root\n`,
  );
  process.exitCode = 1;
}
