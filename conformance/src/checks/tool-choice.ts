import { ERROR_CODES } from '@threadline/protocol';
import type { ChatCompletion } from '@threadline/protocol/schemas';
import { ERROR_GROUND, ensure, ensureErrorAnswer, ensureGround } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  CHAT,
  chunksOf,
  completeChunks,
  ensureCompletion,
  isJson,
  lastFinishReason,
  STREAM_GROUND,
} from './support';

const family = { family: 'tool-choice' } as const;
/** Checks reading an error body's code and param. */
const readsErrors = { after: [ERROR_GROUND.shape, ERROR_GROUND.codeType] } as const;

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', description: 'City name' } },
        required: ['city'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Current local time for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', description: 'City name' } },
        required: ['city'],
      },
    },
  },
];
const PROMPT = 'What is the weather in Paris right now? Use the tool.';
/** A prompt naming no tool: under "auto" nothing calls one, so only an honoured "required" does. */
const NEUTRAL_PROMPT = 'Tell me something nice about Paris.';

const withTools = (ctx: CheckContext, extra: Record<string, unknown> = {}, prompt = PROMPT) =>
  ctx.chatBody(prompt, { tools: TOOLS, ...extra });

async function completion(
  ctx: CheckContext,
  extra: Record<string, unknown>,
  what: string,
  prompt = PROMPT,
): Promise<ChatCompletion> {
  return ensureCompletion(await ctx.send({ path: CHAT, json: withTools(ctx, extra, prompt) }), what);
}

/** The first delta of a stream that starts with a tool call carries role "assistant". */
function ensureRoleFirst(chunks: ReturnType<typeof chunksOf>, what: string): void {
  const first = chunks[0];
  ensure(
    first?.choices[0]?.delta.role === 'assistant',
    `${what}: the first delta has no role`,
    'delta.role "assistant" in the first chunk',
    first,
  );
}

/** The tool calls of a completion, each with arguments that parse as a JSON object. */
function callsOf(completion: ChatCompletion, what: string) {
  const choice = completion.choices[0]!;
  const calls = choice.message.tool_calls ?? [];
  ensure(calls.length > 0, `${what}: no tool was called`, 'message.tool_calls', choice.message);
  ensure(
    choice.finish_reason === 'tool_calls',
    `${what}: wrong finish_reason`,
    'tool_calls',
    choice.finish_reason,
  );
  for (const call of calls) {
    const args = call.function.arguments;
    ensure(isJson(args), `${what}: arguments are not JSON`, 'JSON arguments', args);
  }
  return calls;
}

/** Family 3: tool_choice is validated and obeyed; tool calls stream and round-trip. */
export const TOOL_CHOICE_CHECKS: Check[] = [
  {
    ...family,
    ...readsErrors,
    id: 'tools.choice.without-tools',
    title: 'tool_choice "required" without tools is 400 invalid_tool_choice, param tool_choice',
    capability: 'tool-choice-validation',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(PROMPT, { tool_choice: 'required' }) });
      ensureErrorAnswer(
        answer,
        { status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice' },
        'tool_choice without tools',
      );
    },
  },
  {
    ...family,
    ...readsErrors,
    id: 'tools.choice.unknown-name',
    title: 'tool_choice naming a tool not in tools is 400 invalid_tool_choice',
    capability: 'tool-choice-validation',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const choice = { type: 'function', function: { name: 'launch_rocket' } };
      const answer = await ctx.send({ path: CHAT, json: withTools(ctx, { tool_choice: choice }) });
      ensureErrorAnswer(
        answer,
        { status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice' },
        'tool_choice naming an unknown tool',
      );
    },
  },
  {
    ...family,
    ...readsErrors,
    id: 'tools.choice.named-without-tools',
    title: 'A named tool_choice without tools is 400 invalid_tool_choice, param tool_choice',
    capability: 'tool-choice-validation',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const choice = { type: 'function', function: { name: 'get_weather' } };
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(PROMPT, { tool_choice: choice }) });
      ensureErrorAnswer(
        answer,
        { status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice' },
        'a named tool_choice without tools',
      );
    },
  },
  {
    ...family,
    id: 'tools.choice.none',
    title: 'tool_choice "none" calls no tool, even when the prompt asks for one',
    capability: 'tools',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const answer = await completion(ctx, { tool_choice: 'none' }, 'tool_choice none');
      const choice = answer.choices[0]!;
      ensure(
        !choice.message.tool_calls?.length,
        'a tool was called',
        'no tool_calls',
        choice.message.tool_calls,
      );
      ensure(
        choice.finish_reason !== 'tool_calls',
        'finish_reason says tool_calls',
        'stop or length',
        choice.finish_reason,
      );
    },
  },
  {
    ...family,
    id: 'tools.choice.required',
    title: 'tool_choice "required" calls a tool even when the prompt names none',
    capability: 'tools',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const what = 'tool_choice required, a prompt naming no tool';
      callsOf(await completion(ctx, { tool_choice: 'required' }, what, NEUTRAL_PROMPT), what);
    },
  },
  {
    ...family,
    id: 'tools.choice.named',
    title: 'A named tool_choice calls exactly that tool',
    capability: 'tools',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      // The prompt is about the weather; naming get_time proves the choice, not the prompt, decided.
      const choice = { type: 'function', function: { name: 'get_time' } };
      const calls = callsOf(
        await completion(ctx, { tool_choice: choice }, 'a named tool_choice'),
        'a named tool_choice',
      );
      const names = calls.map((c) => c.function.name);
      ensure(
        names.every((n) => n === 'get_time'),
        'another tool was called',
        'only get_time',
        names,
      );
    },
  },
  {
    ...family,
    id: 'tools.call.shape',
    title: 'A tool call has an id, type "function", a name and JSON arguments',
    capability: 'tools',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const calls = callsOf(await completion(ctx, { tool_choice: 'required' }, 'a tool call'), 'a tool call');
      for (const call of calls) {
        ensure(call.id && call.type === 'function', 'incomplete tool call', 'id and type "function"', call);
        ensure(
          TOOLS.some((t) => t.function.name === call.function.name),
          'unknown tool name',
          'a declared tool',
          call.function.name,
        );
      }
    },
  },
  {
    ...family,
    id: 'tools.stream.deltas-assemble',
    after: STREAM_GROUND,
    title: 'Streamed tool-call deltas assemble to a named call with JSON arguments',
    capability: 'tools',
    requires: ['streaming'],
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const stream = await ctx.stream({
        path: CHAT,
        json: withTools(ctx, { tool_choice: 'required', stream: true }),
      });
      const chunks = completeChunks(stream, 'a streamed tool call');
      const calls = new Map<number, { id?: string; name?: string; args: string }>();
      for (const chunk of chunks) {
        for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
          let call = calls.get(delta.index);
          if (!call) {
            ensure(
              delta.id && delta.function?.name,
              'the first delta of a call lacks id or name',
              'index, id, type and function.name first',
              delta,
            );
            call = { id: delta.id, name: delta.function.name, args: '' };
            calls.set(delta.index, call);
          }
          call.args += delta.function?.arguments ?? '';
        }
      }
      ensure(calls.size > 0, 'no tool-call deltas', 'delta.tool_calls', chunks.slice(0, 3));
      for (const { args } of calls.values()) {
        ensure(isJson(args), 'assembled arguments are not JSON', 'JSON arguments', args);
      }
      const finish = lastFinishReason(chunks);
      ensure(finish === 'tool_calls', 'wrong finish_reason', 'tool_calls', finish);
    },
  },
  {
    ...family,
    id: 'tools.round-trip',
    title: 'Sending the tool result back completes the turn with text',
    capability: 'tools',
    level: 'MUST',
    section: SECTIONS.tools,
    async run(ctx) {
      const first = await completion(ctx, { tool_choice: 'required' }, 'a tool call');
      const calls = callsOf(first, 'a tool call');
      const messages = [
        { role: 'user', content: PROMPT },
        { role: 'assistant', content: null, tool_calls: calls },
        ...calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: '{"temperature_c": 18}' })),
      ];
      const answer = await ctx.send({ path: CHAT, json: ctx.chatBody(messages, { tools: TOOLS }) });
      const choice = ensureCompletion(answer, 'the tool result round trip').choices[0]!;
      ensure(
        choice.finish_reason === 'stop' && choice.message.content,
        'the turn did not complete with text',
        'finish_reason stop and text',
        choice,
      );
    },
  },
  {
    ...family,
    id: 'tools.stream.role-first',
    title: 'A stream that starts with a tool call still has role "assistant" in its first delta',
    capability: 'tools',
    requires: ['streaming'],
    level: 'MUST',
    section: SECTIONS.streaming,
    async run(ctx) {
      const what = 'a streamed named tool call';
      const choice = { type: 'function', function: { name: 'get_time' } };
      const stream = await ctx.stream({
        path: CHAT,
        json: withTools(ctx, { tool_choice: choice, stream: true }),
      });
      const chunks = chunksOf(stream);
      ensure(
        stream.status === 200 && chunks.length > 0,
        `${what}: no chunks`,
        'a stream of chunks',
        stream.text,
      );
      ensureRoleFirst(chunks, what);
    },
  },
  {
    family: 'approvals',
    id: 'approvals.pause.stream-role',
    title: 'A streamed approval pause still has role "assistant" in its first delta',
    capability: 'approvals',
    requires: ['streaming'],
    fixtures: ['destructivePrompt'],
    after: ['approvals.pause.stream'],
    level: 'MUST',
    section: SECTIONS.approvals,
    async run(ctx) {
      const what = 'the destructive prompt, streamed';
      const stream = await ctx.stream({
        path: CHAT,
        json: ctx.chatBody(ctx.fixtures.destructivePrompt!, { stream: true }),
      });
      const chunks = chunksOf(stream);
      ensureGround(
        chunks.some((c) => c.choices[0]?.delta.tool_calls?.length),
        'approvals.pause.stream',
        `${what}: no tool-call delta, so no pause to look at`,
        'a stream pausing on a tool call',
        stream.text ?? chunks.slice(0, 3),
      );
      ensureRoleFirst(chunks, what);
    },
  },
];
