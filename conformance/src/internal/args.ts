import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DIALECT_NAMES, type DialectName, isDialectName } from '@threadline/protocol';
import { ConformanceConfigError } from '../runner/errors';
import type { Shard } from '../runner/select';

export const REPORTER_NAMES = ['pretty', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];
export interface ReporterTarget {
  name: ReporterName;
  /** Absent: stdout. */
  file?: string;
}

export interface CliArgs {
  help: boolean;
  version: boolean;
  list: boolean;
  baseUrl?: string;
  apiKey?: string;
  dialect?: DialectName;
  model?: string;
  config?: string;
  filter: string[];
  reporters: ReporterTarget[];
  baseline?: string;
  shard?: Shard;
  concurrency?: number;
  timeoutMs?: number;
  headers: Record<string, string>;
}

export const HELP = `Usage: threadline-conformance [options]

Checks that a server speaks the Threadline protocol (docs/protocol.md). Without --base-url it starts
the embedded reference server on a free port (API keys on, upload directory in a temporary folder)
and checks its whole feature set.

  --base-url URL          Server root to check (e.g. https://staging.example.com)
  --api-key KEY           Bearer credential (also --token; default $THREADLINE_API_KEY)
  --dialect NAME          Profile to check against: ${DIALECT_NAMES.join(', ')} (default threadline)
  --model ID              Model the chat checks name (default: first of GET /v1/models)
  --config FILE           JSON file: capabilities, fixtures, headers and defaults for these flags
  --filter LIST           Check ids, id prefixes (chat.stream), capabilities or families; comma-separated;
                          a term that matches no check is an error
  --reporter NAME[=FILE]  pretty | json | junit; repeatable; stdout unless FILE, at most one on stdout
                          (default: pretty)
  --baseline FILE         Expected failures (ids); an entry that now passes fails the run as stale
  --shard I/N             Run shard I of N (1-based) of the id-sorted catalogue
  --concurrency N         Checks in flight at once (default 4)
  --timeout MS            Per-check time limit in milliseconds (default 10000)
  --header K:V            Extra header on every request; repeatable
  --list                  Print the catalogue (id, level, capability, section) and exit
  -h, --help              Print this help and exit
  --version               Print the version and exit

Exit status: 0 no MUST check failed (SHOULD failures only warn); 1 a MUST check failed or a baseline
entry is stale; 2 configuration error (bad flag, config, baseline, filter or report file) or server
unreachable, said in one line on stderr; 130/143 stopped by SIGINT/SIGTERM (the temporary folder is
removed first).
`;

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new ConformanceConfigError(`${flag} must be a whole number ≥ 1, got '${value}'`);
  return Number(value);
}

export function parseCliArgs(argv: string[]): CliArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new ConformanceConfigError((error as Error).message);
  }
  const reporters = (values.reporter ?? []).map((spec): ReporterTarget => {
    const eq = spec.indexOf('=');
    const name = eq === -1 ? spec : spec.slice(0, eq);
    const file = eq === -1 ? undefined : spec.slice(eq + 1);
    if (!(REPORTER_NAMES as readonly string[]).includes(name)) {
      throw new ConformanceConfigError(
        `--reporter must be one of ${REPORTER_NAMES.join(', ')} (optionally =FILE), got '${spec}'`,
      );
    }
    if (file === '') throw new ConformanceConfigError(`--reporter ${name}= needs a file name`);
    return { name: name as ReporterName, ...(file ? { file } : {}) };
  });
  // Two reports in one stream (or one file) would corrupt each other: refuse before anything runs.
  const toStdout = reporters.filter((r) => !r.file).map((r) => r.name);
  if (toStdout.length > 1) {
    throw new ConformanceConfigError(
      `only one reporter can write to stdout, got ${toStdout.join(', ')}: give the others a file (e.g. json=report.json)`,
    );
  }
  const files = reporters.flatMap((r) => (r.file ? [resolve(r.file)] : []));
  const twice = files.find((file, i) => files.indexOf(file) !== i);
  if (twice) throw new ConformanceConfigError(`two reporters write to the same file ${twice}`);
  const headers: Record<string, string> = {};
  for (const item of values.header ?? []) {
    const colon = item.indexOf(':');
    const name = colon === -1 ? '' : item.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new ConformanceConfigError(`--header must be NAME:VALUE, got '${item}'`);
    headers[name.toLowerCase()] = item.slice(colon + 1).trim();
  }
  let shard: Shard | undefined;
  if (values.shard !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(values.shard);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || index < 1 || count < 1 || index > count) {
      throw new ConformanceConfigError(`--shard must be I/N with 1 ≤ I ≤ N, got '${values.shard}'`);
    }
    shard = { index, count };
  }
  if (values.dialect !== undefined && !isDialectName(values.dialect)) {
    throw new ConformanceConfigError(
      `--dialect must be one of ${DIALECT_NAMES.join(', ')}, got '${values.dialect}'`,
    );
  }
  const apiKey = values['api-key'] ?? values.token;
  return {
    help: values.help === true,
    version: values.version === true,
    list: values.list === true,
    ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(values.dialect !== undefined ? { dialect: values.dialect as DialectName } : {}),
    ...(values.model !== undefined ? { model: values.model } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    filter: (values.filter ?? [])
      .flatMap((f) => f.split(','))
      .map((f) => f.trim())
      .filter(Boolean),
    reporters,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(shard ? { shard } : {}),
    ...(values.concurrency !== undefined
      ? { concurrency: positiveInt(values.concurrency, '--concurrency') }
      : {}),
    ...(values.timeout !== undefined ? { timeoutMs: positiveInt(values.timeout, '--timeout') } : {}),
    headers,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      'base-url': { type: 'string' },
      'api-key': { type: 'string' },
      token: { type: 'string' },
      dialect: { type: 'string' },
      model: { type: 'string' },
      config: { type: 'string' },
      filter: { type: 'string', multiple: true },
      reporter: { type: 'string', multiple: true },
      baseline: { type: 'string' },
      shard: { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      header: { type: 'string', multiple: true },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}
