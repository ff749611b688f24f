import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, start } from '@threadline/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../src/index';
import { bundleCli, lastLine, launch as launchCli, type Outcome, SUMMARY } from './support/cli';

let dir: string;
let cli: string;
let secured: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'threadline-conformance-'));
  cli = await bundleCli(dir);
  secured = await start({ port: 0, dialect: 'openai', auth: { apiKeys: ['sk-very-secret-key'] } });
}, 60_000);

afterAll(async () => {
  await secured?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const launch = (args: string[], env?: NodeJS.ProcessEnv) => launchCli(cli, args, env);
const run = (args: string[]): Promise<Outcome> => launch(args).done;

describe('threadline-conformance CLI', () => {
  it('checks the embedded reference server and exits 0, ending with the summary line', async () => {
    const out = await run([]);
    expect(out.code).toBe(0);
    const match = SUMMARY.exec(lastLine(out.stdout) ?? '');
    expect(match, out.stdout).not.toBeNull();
    expect(Number(match![2])).toBe(0);
    expect(Number(match![3])).toBe(0);
    expect(Number(match![1])).toBe(CATALOGUE.length);
    expect(out.stderr).toMatch(/^running \d+ conformance checks against http:\/\/127\.0\.0\.1:\d+…\n$/);
  });

  it('exits 1 on a MUST failure, printing expected vs got and a curl repro', async () => {
    const out = await run(['--header', 'x-threadline-fault: no-done', '--filter', 'chat.stream']);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('✗ chat.stream.done-terminator [MUST · streaming · protocol.md#streaming]');
    expect(out.stdout).toContain('expected: data: [DONE] after the last chunk');
    // What builds on [DONE] is blocked by it, not failed: one defect, one failure.
    expect(out.stdout).toContain('- blocked by chat.stream.done-terminator: chat.stream.nothing-after-done');
    expect(out.stdout).toMatch(
      /repro: {4}curl -sS -N -X POST 'http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions' .*-H 'x-threadline-fault: no-done'/,
    );
    expect(lastLine(out.stdout)).toMatch(/^\d+ passed, 1 failed, 0 skipped$/);
  });

  it('SHOULD failures are warnings: listed, not counted, exit 0', async () => {
    const out = await run([
      '--header',
      'x-threadline-fault: error-frame-after=0',
      '--filter',
      'chat.stream.no-usage-unasked',
    ]);
    expect(out.stdout).toContain('WARNINGS (SHOULD: not counted as failures)');
    expect(out.stdout).toContain('! chat.stream.no-usage-unasked');
    expect(lastLine(out.stdout)).toBe('0 passed, 0 failed, 0 skipped');
    expect(out.code).toBe(0);
  });

  it('writes json and junit reports to files and pretty to stdout', async () => {
    const json = join(dir, 'out', 'report.json');
    const junit = join(dir, 'out', 'report.xml');
    const out = await run([
      '--header',
      'x-threadline-fault: changing-ids',
      '--reporter',
      'pretty',
      '--reporter',
      `json=${json}`,
      '--reporter',
      `junit=${junit}`,
    ]);
    expect(out.code).toBe(1);
    expect(lastLine(out.stdout)).toMatch(SUMMARY);
    const report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.summary.failed).toBe(1);
    expect(report.baseline.expectedFailures).toEqual(['chat.stream.same-id']);
    expect(report.results.find((r: { id: string }) => r.id === 'chat.stream.same-id')).toMatchObject({
      status: 'failed',
      level: 'MUST',
      section: 'protocol.md#streaming',
    });
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="threadline-conformance" tests="\d+" failures="1"/,
    );
    expect(xml).toMatch(
      /<testcase classname="conformance.wire" name="chat.stream.same-id" time="[\d.]+">\n\s+<failure message="[^"]+" type="MUST">/,
    );
    expect(xml.match(/<testcase /g)?.length).toBe(report.summary.total);
  });

  it('a baseline turns expected failures into passes, and fails the run on a stale entry', async () => {
    const baseline = join(dir, 'baseline.txt');
    await writeFile(baseline, '# known issues\nchat.stream.same-id\n');
    const expected = await run(['--header', 'x-threadline-fault: changing-ids', '--baseline', baseline]);
    expect(expected.code).toBe(0);
    expect(expected.stdout).toContain('1 expected failure (baseline)');
    const stale = await run(['--baseline', baseline, '--filter', 'chat.stream']);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('STALE BASELINE ENTRIES');
    expect(stale.stdout).toContain('remove it from the baseline');
    expect(lastLine(stale.stdout)).toMatch(/^\d+ passed, 1 failed, 0 skipped$/);
  });

  it('shards split the catalogue into disjoint parts that cover it', async () => {
    const ids: string[][] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const file = join(dir, `shard-${shard.replace('/', '-')}.json`);
      const out = await run(['--shard', shard, '--reporter', `json=${file}`]);
      expect(out.code).toBe(0);
      expect(out.stdout).toBe('');
      ids.push(JSON.parse(await readFile(file, 'utf8')).results.map((r: { id: string }) => r.id));
    }
    const all = ids.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
  });

  it('checks a server with API keys, masking the key in every repro', async () => {
    const out = await run([
      '--base-url',
      secured.url,
      '--dialect',
      'openai',
      '--api-key',
      'sk-very-secret-key',
      '--header',
      'x-threadline-fault: bad-usage',
      '--reporter',
      'pretty',
      '--reporter',
      `json=${join(dir, 'secured.json')}`,
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("-H 'authorization: Bearer ****'");
    const json = await readFile(join(dir, 'secured.json'), 'utf8');
    expect(out.stdout + out.stderr + json).not.toContain('sk-very-secret-key');
    const report = JSON.parse(json);
    expect(report.results.find((r: { id: string }) => r.id === 'auth.missing-credentials')?.status).toBe(
      'passed',
    );
  });

  it('reads capabilities, fixtures and flags from --config, flags winning', async () => {
    const config = join(dir, 'conformance.json');
    await writeFile(
      config,
      JSON.stringify({
        dialect: 'openai',
        capabilities: { runs: true, tools: false },
        filter: ['tools', 'runs.unknown-id'],
        fixtures: { model: 'threadline-large' },
      }),
    );
    const file = join(dir, 'config.json');
    const out = await run(['--config', config, '--reporter', `json=${file}`]);
    expect(out.code).toBe(0);
    const report = JSON.parse(await readFile(file, 'utf8'));
    expect(report.dialect).toBe('openai');
    const status = Object.fromEntries(
      report.results.map((r: { id: string; status: string }) => [r.id, r.status]),
    );
    expect(status['runs.unknown-id']).toBe('passed');
    expect(status['tools.choice.none']).toBe('skipped');
    expect(report.model).toEqual({ id: 'threadline-large', source: 'config' });
    // The same config with flags: each flag replaces its config value.
    const flagged = await run([
      ...['--config', config, '--reporter', `json=${file}`],
      ...['--dialect', 'spice', '--model', 'threadline-mini', '--filter', 'models.retrieve'],
    ]);
    expect(flagged.code).toBe(0);
    const overridden = JSON.parse(await readFile(file, 'utf8'));
    expect(overridden.dialect).toBe('spice');
    expect(overridden.model).toEqual({ id: 'threadline-mini', source: 'option' });
    expect(overridden.results.map((r: { id: string }) => r.id)).toEqual(['models.retrieve']);
  });

  it('documents every flag in --help', async () => {
    const out = await run(['--help']);
    expect(out.code).toBe(0);
    for (const flag of [
      '--base-url',
      '--api-key',
      '--token',
      '--dialect',
      '--model',
      '--config',
      '--filter',
      '--reporter',
      '--baseline',
      '--shard',
      '--concurrency',
      '--timeout',
      '--header',
      '--help',
    ]) {
      expect(out.stdout).toContain(flag);
    }
  });

  it('--list prints the catalogue: id, level, capability and section per line', async () => {
    const out = await run(['--list']);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(CATALOGUE.length);
    expect(lines).toContain('chat.stream.done-terminator\tMUST\tstreaming\tprotocol.md#streaming');
  });

  it.each([
    [['--bogus'], /configuration error: Unknown option '--bogus'/],
    [['--dialect', 'klingon'], /configuration error: --dialect must be one of/],
    [['--shard', '3/2'], /configuration error: --shard must be I\/N/],
    [['--reporter', 'tap'], /configuration error: --reporter must be one of pretty, json, junit/],
    [['--concurrency', '0'], /configuration error: --concurrency must be a whole number/],
    [['--config', '/nonexistent/conformance.json'], /configuration error: cannot read config file/],
    [['--base-url', 'ftp://example.com'], /configuration error: base URL must be http\(s\)/],
    [
      ['--base-url', 'http://127.0.0.1:9'],
      /^threadline-conformance: server unreachable: http:\/\/127\.0\.0\.1:9 \(/,
    ],
    [['--filter', 'chat.stream,chat.strem'], /configuration error: filter matches no check: chat\.strem \(/],
    [
      ['--reporter', 'json', '--reporter', 'pretty'],
      /configuration error: only one reporter can write to stdout, got json, pretty/,
    ],
    [
      ['--reporter', 'json=out/r', '--reporter', 'junit=./out/r'],
      /configuration error: two reporters write to the same file .*\/out\/r$/m,
    ],
    [
      ['--reporter', 'junit=/dev/null/report.xml'],
      /configuration error: cannot write the junit report to \/dev\/null\/report\.xml: /,
    ],
    // Reachable but slower than --timeout: said so, not a bare "unreachable".
    [
      ['--header', 'x-threadline-fault: latency=3000', '--timeout', '200'],
      /server unreachable: http:\/\/127\.0\.0\.1:\d+ \(GET \/v1\/models got no answer within 200 ms; --timeout/,
    ],
  ])('%j exits 2 with one line saying what is wrong', async (args, message) => {
    const out = await run(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stdout).toBe('');
  });

  it('a bad baseline or config file is a configuration error', async () => {
    const baseline = join(dir, 'bad-baseline.json');
    await writeFile(baseline, '["chat.no-such-check"]');
    const unknown = await run(['--baseline', baseline]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('baseline names unknown check ids: chat.no-such-check');
    const config = join(dir, 'typo.json');
    await writeFile(config, '{"fixtures": {"destructivePromt": "delete it"}}');
    const typo = await run(['--config', config]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/configuration error: .*typo\.json: fixtures: Unrecognized key/);
  });

  // Signals and TMPDIR are POSIX (our CI is Linux; on Windows a console Ctrl-C is not a catchable SIGINT).
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s mid-run removes the temporary directory and exits %i', async (signal, status) => {
    // The CLI makes its temporary directory under TMPDIR: a fresh one shows what it leaves behind.
    const tmp = await mkdtemp(join(dir, 'tmpdir-'));
    // Every request waits a second, so the run is still going when the signal lands.
    const { child, output, done } = launch(
      ['--header', 'x-threadline-fault: latency=1000', '--timeout', '60000'],
      { ...process.env, TMPDIR: tmp },
    );
    await expect.poll(() => output.stderr, { timeout: 15_000 }).toMatch(/^running \d+ conformance checks/);
    expect(await readdir(tmp)).toEqual([expect.stringMatching(/^threadline-conformance-/)]);
    child.kill(signal);
    const out = await done;
    expect(out.code).toBe(status);
    expect(out.stderr).toContain(`threadline-conformance: interrupted (${signal})`);
    expect(out.stdout).toBe('');
    expect(await readdir(tmp)).toEqual([]);
  });
});
