#!/usr/bin/env node
// The command's entry point. The CLI itself is built into dist/ (always there in the published
// package); a checkout that was never built has no dist/, which gets one line instead of a stack trace.
// Any other failure, a missing module further down included, passes through untouched.
const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== cli.href) throw error;
  process.stderr.write(
    'threadline-conformance: dist/cli.js is missing (not built yet): run `npx -y pnpm@12 run build` first, in the repository root\n',
  );
  process.exitCode = 1;
}
