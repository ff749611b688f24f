import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workspace';

/** An app file importing every entry point by its public name, with types that must come through. */
export const CONSUMER = `import { DIALECTS, type ChatCompletionChunk, parseErrorBody } from '@threadline/protocol';
import { chatCompletionChunkSchema } from '@threadline/protocol/schemas';
import { APIError, Threadline } from '@threadline/client';
import { createMockServer } from '@threadline/mock-server';
import { runConformance } from '@threadline/conformance';
import { createThreadline } from '@threadline/ai-sdk';

const dialect: string = DIALECTS.openai.name;
const code: string | null = parseErrorBody({ error: { message: 'x', code: 'y' } }).code;
const chunk: ChatCompletionChunk | undefined = chatCompletionChunkSchema.safeParse({}).data;
const server: Promise<Response> = createMockServer().fetch(new Request('http://mock.test/health'));
const client = new Threadline({ baseURL: 'http://127.0.0.1:1' });
const isError: boolean = new Error() instanceof APIError;
export const used = [dialect, code, chunk, server, client, isError, runConformance, createThreadline];
`;

/** The same imports from a CommonJS file: Node 22.12+ and 24 load ES modules from require(). */
export const CJS_CONSUMER = `const { DIALECTS } = require('@threadline/protocol');
const { chatCompletionChunkSchema } = require('@threadline/protocol/schemas');
const { Threadline } = require('@threadline/client');
const { createMockServer } = require('@threadline/mock-server');
const { runConformance } = require('@threadline/conformance');
const { createThreadline } = require('@threadline/ai-sdk');
const loaded = [DIALECTS.openai, chatCompletionChunkSchema, Threadline, createMockServer, runConformance, createThreadline];
if (!loaded.every(Boolean)) throw new Error('an export is missing');
console.log(require('@threadline/client/package.json').name);
`;

const types = { types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] };
const strict = {
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
  target: 'es2023',
};

/** tsconfig files for the resolutions a user may have: node16 and bundler for ESM, nodenext for CJS. */
export function writeTsconfigs(app: string, files: string[]): Record<'node16' | 'bundler' | 'cjs', string> {
  const write = (name: string, compilerOptions: object, include: string[]) => {
    writeFileSync(
      join(app, name),
      JSON.stringify({ compilerOptions: { ...strict, ...types, ...compilerOptions }, include }),
    );
    return name;
  };
  mkdirSync(join(app, 'cjs'), { recursive: true });
  writeFileSync(join(app, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(join(app, 'cjs', 'consumer.cts'), CONSUMER);
  return {
    node16: write('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16' }, files),
    bundler: write('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler' }, files),
    cjs: write('tsconfig.cjs.json', { module: 'nodenext', moduleResolution: 'nodenext' }, [
      'cjs/consumer.cts',
    ]),
  };
}
