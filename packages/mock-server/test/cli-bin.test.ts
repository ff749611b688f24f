import { fileURLToPath } from 'node:url';
import { describeBin } from './support/bin';
import { bundleForNode } from './support/cli';

const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describeBin(fileURLToPath(new URL('..', import.meta.url)), 'threadline-mock', (out) =>
  bundleForNode(source, out),
);
