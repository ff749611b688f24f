#!/usr/bin/env node
import { mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
// Only `version` is bundled into the CLI, not the rest of the manifest.
import { version } from '../package.json';
import { CHECKS } from './checks/index';
import { type ConfigFile, loadConfigFile } from './config';
import { type CliArgs, HELP, parseCliArgs, type ReporterTarget } from './internal/args';
import { renderJson } from './reporters/json';
import { renderJunit } from './reporters/junit';
import { createProgress, renderPretty } from './reporters/pretty';
import { loadBaseline } from './runner/baseline';
import { ConformanceConfigError, ServerUnreachableError } from './runner/errors';
import { type ConformanceOptions, runConformance } from './runner/run';
import type { ConformanceReport } from './runner/types';

const RENDER = { pretty: renderPretty, json: renderJson, junit: renderJunit } as const;

/** 128 + the signal's number: the status a shell reports for a program a signal stopped. */
const SIGNAL_STATUS = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_STATUS;

/**
 * The first SIGINT or SIGTERM stops the run instead of killing the process, so the embedded server's
 * temporary directory is removed on the way out. A second one gets Node's default: exit at once.
 */
let caught: StopSignal | undefined;
const interrupt = new AbortController();
for (const name of Object.keys(SIGNAL_STATUS) as StopSignal[]) {
  process.once(name, () => {
    caught ??= name;
    interrupt.abort();
  });
}

function listCatalogue(): string {
  return `${CHECKS.map((c) => `${c.id}\t${c.level}\t${c.capability}\t${c.section}`).join('\n')}\n`;
}

async function options(args: CliArgs, config: ConfigFile): Promise<ConformanceOptions> {
  const baselinePath = args.baseline ?? config.baseline;
  const apiKey = args.apiKey ?? config.apiKey ?? process.env.THREADLINE_API_KEY;
  const baseUrl = args.baseUrl ?? config.baseUrl;
  const dialect = args.dialect ?? config.dialect;
  const model = args.model ?? config.model;
  const timeoutMs = args.timeoutMs ?? config.timeout;
  const concurrency = args.concurrency ?? config.concurrency;
  return {
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(dialect !== undefined ? { dialect } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(args.shard ? { shard: args.shard } : {}),
    capabilities: config.capabilities ?? {},
    fixtures: config.fixtures ?? {},
    filter: args.filter.length ? args.filter : (config.filter ?? []),
    headers: { ...config.headers, ...args.headers },
    ...(baselinePath ? { baseline: await loadBaseline(baselinePath) } : {}),
  };
}

/** One line naming the report that cannot be written, instead of a stack trace. */
async function writing(target: ReporterTarget, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw new ConformanceConfigError(
      `cannot write the ${target.name} report to ${target.file}: ${(error as Error).message}`,
    );
  }
}

/**
 * Proves each report file can be written before the run, so a bad path costs seconds, not a whole
 * run; a file that did not exist is removed again, leaving nothing behind when the run cannot start.
 */
async function prepare(targets: ReporterTarget[]): Promise<void> {
  for (const target of targets) {
    const file = target.file;
    if (!file) continue;
    await writing(target, async () => {
      await mkdir(dirname(file), { recursive: true });
      const existed = await stat(file).then(
        () => true,
        () => false,
      );
      await (await open(file, 'a')).close();
      if (!existed) await rm(file);
    });
  }
}

async function report(result: ConformanceReport, targets: ReporterTarget[]): Promise<void> {
  for (const target of targets) {
    const text = RENDER[target.name](result);
    const file = target.file;
    if (!file) process.stdout.write(text);
    else await writing(target, () => writeFile(file, text));
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (args.list) {
    process.stdout.write(listCatalogue());
    return 0;
  }
  const config = args.config ? await loadConfigFile(args.config) : {};
  const opts = await options(args, config);
  const targets: ReporterTarget[] = args.reporters.length ? args.reporters : [{ name: 'pretty' }];
  await prepare(targets);
  const progress = createProgress(process.stderr);
  let result: ConformanceReport;
  try {
    result = await runConformance({
      ...opts,
      signal: interrupt.signal,
      onStart: ({ total, baseUrl }) => progress.start(total, baseUrl),
      onResult: (r, done, total) => progress.result(r, done, total),
    });
  } finally {
    progress.end();
  }
  await report(result, targets);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = caught ? SIGNAL_STATUS[caught] : code;
  },
  (error: unknown) => {
    if (caught) {
      process.stderr.write(`threadline-conformance: interrupted (${caught})\n`);
      process.exitCode = SIGNAL_STATUS[caught];
      return;
    }
    if (error instanceof ServerUnreachableError) {
      process.stderr.write(`threadline-conformance: ${error.message}\n`);
    } else if (error instanceof ConformanceConfigError) {
      process.stderr.write(`threadline-conformance: configuration error: ${error.message}\n`);
    } else {
      process.stderr.write(
        `threadline-conformance: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exitCode = 2;
  },
);
