import { fileURLToPath } from 'node:url';
import { describeBin } from '../../packages/mock-server/test/support/bin';
import { bundleForNode } from '../../packages/mock-server/test/support/cli';

const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describeBin(fileURLToPath(new URL('..', import.meta.url)), 'threadline-conformance', (out) =>
  bundleForNode(source, out),
);
