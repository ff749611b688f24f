#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DIALECT_NAMES } from '@threadline/protocol';
// Only `version` is bundled into the CLI, not the rest of the manifest.
import { version } from '../package.json';
import { ConfigError, type MockServerConfig } from './config';
import { loadConfigFile } from './config-file';
import { layOutDemo } from './demo/layout';
import { FaultSpecError, parseFaultSpec } from './faults/parse';
import { start } from './node';

/** Every flag, with its help text; `--help` prints this table. */
const FLAGS = {
  port: {
    type: 'string',
    short: 'p',
    arg: 'N',
    help: 'port to listen on; 0 picks a free one (default 8787)',
  },
  host: { type: 'string', arg: 'HOST', help: 'interface to bind (default 127.0.0.1; 0.0.0.0 for all)' },
  config: {
    type: 'string',
    short: 'c',
    arg: 'FILE',
    help: 'JSON or YAML config file (models, auth, fixtures…)',
  },
  dialect: { type: 'string', arg: 'NAME', help: `server family to emulate: ${DIALECT_NAMES.join(', ')}` },
  fault: {
    type: 'string',
    multiple: true,
    arg: 'SPEC',
    help: 'fault spec applied to every request (repeatable)',
  },
  'chunk-delay': {
    type: 'string',
    arg: 'MS',
    help: 'pause between stream frames in milliseconds (default 0)',
  },
  'upload-dir': {
    type: 'string',
    arg: 'DIR',
    help: 'folder POST /v1/ingest?file_path= reads from (default $ICE_UPLOAD_DIR, else a temporary copy of the demo files)',
  },
  bucket: {
    type: 'string',
    multiple: true,
    arg: 'NAME=DIR',
    help: 'serve s3://NAME/… and gs://NAME/… ingest from a local folder (repeatable)',
  },
  db: {
    type: 'string',
    arg: 'FILE',
    help: 'keep memory, documents, files, runs and approvals in this SQLite file',
  },
  'no-control': { type: 'boolean', help: 'turn the /__threadline control routes off (404)' },
  'control-token': {
    type: 'string',
    arg: 'TOKEN',
    help: 'admin token the control routes require when auth is on',
  },
  help: { type: 'boolean', short: 'h', help: 'show this help and exit' },
  version: { type: 'boolean', help: 'print the version and exit' },
} as const;

function usage(): string {
  const names = Object.entries(FLAGS).map(([name, flag]) => {
    const short = 'short' in flag ? `-${flag.short}, ` : '    ';
    const arg = 'arg' in flag ? ` ${flag.arg}` : '';
    return { usage: `  ${short}--${name}${arg}`, help: flag.help };
  });
  // At least two spaces between a flag and its description, however long the flag.
  const width = Math.max(...names.map((n) => n.usage.length)) + 2;
  const lines = names.map((n) => n.usage.padEnd(width) + n.help);
  return [
    'Usage: threadline-mock [options]',
    '',
    'Runs the Threadline reference server: an OpenAI-compatible Chat Completions server with a',
    'deterministic model, fixtures, fault injection, memory, ingest and server tools with approvals.',
    'Prints one line, "listening on http://HOST:PORT",',
    'once ready; SIGINT or SIGTERM stop it. Docs: docs/mock-server.md, docs/server-state.md.',
    '',
    'Options:',
    ...lines,
    '',
    'Example: threadline-mock --port 0 --dialect spice --fault "rate-limit=1" --chunk-delay 20',
  ].join('\n');
}

class UsageError extends Error {}

function wholeNumber(value: string, flag: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new UsageError(`--${flag} must be a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const port = values.port === undefined ? 8787 : wholeNumber(values.port, 'port', 65535);
  const host = values.host ?? '127.0.0.1';
  const config: MockServerConfig = values.config ? await loadConfigFile(values.config) : {};
  if (values.dialect !== undefined) {
    if (!(DIALECT_NAMES as readonly string[]).includes(values.dialect)) {
      throw new UsageError(
        `--dialect must be one of ${DIALECT_NAMES.join(', ')}, got ${JSON.stringify(values.dialect)}`,
      );
    }
    config.dialect = values.dialect as MockServerConfig['dialect'];
  }
  if (values.fault?.length) {
    const spec = values.fault.join('; ');
    try {
      parseFaultSpec(spec);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new UsageError(`--fault: ${error.message}`);
      throw error;
    }
    config.faults = config.faults ? `${config.faults}; ${spec}` : spec;
  }
  if (values['chunk-delay'] !== undefined)
    config.chunkDelayMs = wholeNumber(values['chunk-delay'], 'chunk-delay', 60_000);

  if (values['upload-dir'] !== undefined) config.uploadDir = values['upload-dir'];
  for (const mapping of values.bucket ?? []) {
    const at = mapping.indexOf('=');
    if (at < 1 || at === mapping.length - 1) {
      throw new UsageError(`--bucket must look like NAME=DIR, got ${JSON.stringify(mapping)}`);
    }
    config.buckets = { ...config.buckets, [mapping.slice(0, at)]: mapping.slice(at + 1) };
  }
  if (values.db !== undefined) config.db = values.db;
  if (values['no-control']) config.control = false;
  if (values['control-token'] !== undefined) config.controlToken = values['control-token'];

  // With no upload directory anywhere, ingest serves a temporary copy of the demo files (with the
  // escaping link and bucket a suite needs; docs/server-state.md), removed on exit.
  const demo = config.uploadDir === undefined && !process.env.ICE_UPLOAD_DIR ? await layOutDemo() : null;
  if (demo) {
    config.uploadDir = demo.uploadDir;
    config.buckets ??= demo.buckets;
  }
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start({ ...config, port, host });
  } catch (error) {
    await demo?.remove();
    throw error;
  }
  process.stdout.write(`listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      running
        .close()
        .then(() => demo?.remove())
        .then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usageProblem = error instanceof UsageError || error instanceof ConfigError;
    process.stderr.write(`threadline-mock: ${error instanceof Error ? error.message : String(error)}\n`);
    if (usageProblem) process.stderr.write('Run threadline-mock --help for the options.\n');
    process.exitCode = usageProblem ? 2 : 1;
  },
);
