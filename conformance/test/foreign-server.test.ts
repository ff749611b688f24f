import { LLMock } from '@copilotkit/aimock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, runConformance } from '../src/index';

// aimock (@copilotkit/aimock) is an OpenAI-compatible mock nobody here wrote. Its fixtures below play a
// well-behaved model — text, and tool calls that obey tool_choice — while aimock itself validates no
// sampling parameter and serves any model name. The suite must pass the first and fail the second.

type Request = Parameters<NonNullable<Parameters<LLMock['addFixture']>[0]['match']['predicate']>>[0];
type Choice = { type: 'function'; function: { name: string } } | string | undefined;

const lastRole = (req: Request) => req.messages.at(-1)?.role;
const toolNames = (req: Request) => (req.tools ?? []).map((t) => t.function.name);

let mock: LLMock;
let results: Map<string, CheckResult>;

beforeAll(async () => {
  mock = new LLMock({ port: 0, logLevel: 'silent' });
  for (const tool of ['get_weather', 'get_time']) {
    mock.addFixture({
      match: {
        predicate: (req) => {
          const choice = req.tool_choice as Choice;
          if (lastRole(req) !== 'user' || !toolNames(req).includes(tool) || choice === 'none') return false;
          if (typeof choice === 'object') return choice.function.name === tool;
          return choice === 'required' && toolNames(req)[0] === tool;
        },
      },
      response: { toolCalls: [{ name: tool, arguments: JSON.stringify({ city: 'Paris' }) }] },
    });
  }
  mock.addFixture({
    match: { predicate: (req) => lastRole(req) === 'tool' },
    response: { content: 'It is sunny in Paris.' },
  });
  mock.addFixture({
    match: { predicate: () => true },
    response: { content: 'Hello from a foreign server.' },
  });
  await mock.start();
  const report = await runConformance({ baseUrl: mock.url, dialect: 'openai', model: 'gpt-4o' });
  results = new Map(report.results.map((r) => [r.id, r]));
});
afterAll(() => mock.stop());

describe('the suite against a server nobody here wrote (aimock, --dialect openai)', () => {
  it('passes its wire format: JSON and SSE framing, usage, models list, tool calls and their deltas', () => {
    for (const id of [
      'chat.json.schema',
      'chat.json.text-answer',
      'chat.json.usage-totals',
      'chat.stream.content-type',
      'chat.stream.chunk-schema',
      'chat.stream.same-id',
      'chat.stream.role-first',
      'chat.stream.one-finish-reason',
      'chat.stream.text',
      'chat.stream.done-terminator',
      'chat.stream.nothing-after-done',
      'chat.stream.usage-chunk',
      'chat.stream.usage-totals',
      'models.list-shape',
      'tools.choice.required',
      'tools.choice.named',
      'tools.choice.none',
      'tools.call.shape',
      'tools.round-trip',
      'tools.stream.deltas-assemble',
    ]) {
      expect([id, results.get(id)?.status]).toEqual([id, 'passed']);
    }
  });

  it('fails what aimock does not do — sampling and tool_choice validation, unknown models — with expected, got and a repro', () => {
    for (const id of [
      'chat.sampling.temperature-range',
      'chat.sampling.top-p-range',
      'chat.sampling.n-only-one',
      // OpenAI refuses these tool_choice values (invalid_tool_choice), so the openai profile checks them.
      'tools.choice.without-tools',
      'tools.choice.unknown-name',
      'tools.choice.named-without-tools',
    ]) {
      expect([id, results.get(id)?.status]).toEqual([id, 'failed']);
    }
    const temperature = results.get('chat.sampling.temperature-range')!;
    expect(temperature.expected).toBe('HTTP 400, param temperature');
    expect(temperature.got).toMatch(/^HTTP 200 .*Hello from a foreign server/);
    expect(temperature.curl).toMatch(new RegExp(`^curl .*'${mock.url}/v1/chat/completions'.*"temperature"`));
    expect(results.get('stream-errors.unknown-model.json')?.status).toBe('failed');
  });

  it('skips every capability the openai profile does not promise, auth included (no credentials given)', () => {
    const skipped = [...results.values()].filter((r) => r.status === 'skipped');
    expect(new Set(skipped.map((r) => r.capability))).toEqual(
      new Set([
        'approvals',
        'auth',
        'cancel',
        // CORS is promised by dialects whose servers web pages call, not by plain OpenAI-compatible ones.
        'cors',
        'files',
        'health',
        'ingest',
        'limits',
        'memory-session',
        'memory-thread',
        'progress',
        // --dialect openai is how generic chat-only servers are checked: the Responses door is not promised.
        'responses',
        'responses-websocket',
        'runs',
        'stream-errors',
      ]),
    );
    // A verdict, never a crash of the suite: no failure is a broken exchange.
    const broken = [...results.values()].filter((r) => r.message?.startsWith('the exchange failed'));
    expect(broken).toEqual([]);
  });
});
