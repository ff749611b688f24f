import { ERROR_CODES } from '@threadline/protocol';
import { ERROR_GROUND, ensure, ensureErrorAnswer, show } from '../internal/expect';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import { RESPONSES_APPROVAL_CHECKS } from './responses-approvals';
import {
  completeEvents,
  deltasByItem,
  ensureResponse,
  itemsOfType,
  type LooseResponse,
  type Obj,
  outputText,
  RESPONSES,
  RESPONSES_STREAM_GROUND,
  responsesBody,
  terminalResponse,
} from './responses-support';
import { codeWord, isJson } from './support';

const family = { family: 'responses', capability: 'responses', section: SECTIONS.responses } as const;
const readsErrors = { after: [ERROR_GROUND.shape, ERROR_GROUND.codeType] } as const;

/** Client tools in the Responses form (flat: name and parameters on the tool). */
const TOOLS = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' } },
      required: ['city'],
    },
  },
  {
    type: 'function',
    name: 'get_time',
    description: 'Current local time for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' } },
      required: ['city'],
    },
  },
];
const PROMPT = 'What is the weather in Paris right now? Use the tool.';
/** A prompt naming no tool: under "auto" nothing calls one, so only an honoured "required" does. */
const NEUTRAL_PROMPT = 'Tell me something nice about Paris.';

async function withTools(
  ctx: CheckContext,
  extra: Record<string, unknown>,
  what: string,
  prompt = PROMPT,
): Promise<LooseResponse> {
  const answer = await ctx.send({
    path: RESPONSES,
    json: responsesBody(ctx, prompt, { tools: TOOLS, ...extra }),
  });
  return ensureResponse(answer, what);
}

/** The function_call items of a response, each with call_id, name and arguments that parse as JSON. */
function callsOf(response: LooseResponse, what: string): Obj[] {
  const calls = itemsOfType(response, 'function_call');
  ensure(calls.length > 0, `${what}: no function_call item`, 'a function_call item', response.output);
  for (const call of calls) {
    ensure(
      typeof call.call_id === 'string' && call.call_id,
      `${what}: a call has no call_id`,
      'call_id',
      call,
    );
    ensure(
      typeof call.arguments === 'string' && isJson(call.arguments),
      `${what}: arguments are not JSON`,
      'JSON arguments',
      call.arguments,
    );
  }
  return calls;
}

/** Family responses, tool_choice: validated and obeyed in its flat form; calls stream and round-trip. */
const TOOL_CHECKS: Check[] = [
  {
    ...family,
    ...readsErrors,
    requires: ['tool-choice-validation'],
    id: 'responses.tools.choice.without-tools',
    title: 'tool_choice "required" without tools is 400 invalid_tool_choice, param tool_choice',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, PROMPT, { tool_choice: 'required' }),
      });
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
    requires: ['tool-choice-validation'],
    id: 'responses.tools.choice.unknown-name',
    title: 'A flat tool_choice naming a tool not in tools is 400 invalid_tool_choice',
    level: 'MUST',
    async run(ctx) {
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, PROMPT, {
          tools: TOOLS,
          tool_choice: { type: 'function', name: 'launch_rocket' },
        }),
      });
      ensureErrorAnswer(
        answer,
        { status: 400, code: ERROR_CODES.invalidToolChoice, param: 'tool_choice' },
        'tool_choice naming an unknown tool',
      );
    },
  },
  {
    ...family,
    id: 'responses.tools.choice.named',
    title: 'A flat tool_choice {type:"function", name} calls that tool and only it',
    level: 'MUST',
    async run(ctx) {
      const what = 'tool_choice naming get_time, a prompt asking for the weather';
      const calls = callsOf(
        await withTools(ctx, { tool_choice: { type: 'function', name: 'get_time' } }, what),
        what,
      );
      const names = calls.map((call) => call.name);
      ensure(
        names.every((name) => name === 'get_time'),
        `${what}: another tool was called`,
        'get_time only',
        names,
      );
    },
  },
  {
    ...family,
    id: 'responses.tools.choice.none',
    title: 'tool_choice "none" calls no tool, even when the prompt asks for one',
    level: 'MUST',
    async run(ctx) {
      const response = await withTools(ctx, { tool_choice: 'none' }, 'tool_choice none');
      const calls = itemsOfType(response, 'function_call');
      ensure(calls.length === 0, 'a tool was called', 'no function_call item', calls);
    },
  },
  {
    ...family,
    id: 'responses.tools.choice.required',
    title: 'tool_choice "required" calls a tool even when the prompt names none',
    level: 'MUST',
    async run(ctx) {
      const what = 'tool_choice required, a prompt naming no tool';
      callsOf(await withTools(ctx, { tool_choice: 'required' }, what, NEUTRAL_PROMPT), what);
    },
  },
  {
    ...family,
    requires: ['streaming'],
    after: RESPONSES_STREAM_GROUND,
    id: 'responses.tools.stream.arguments',
    title: "Streamed, a function call's argument deltas concatenate to its arguments, valid JSON",
    level: 'MUST',
    async run(ctx) {
      const stream = await ctx.stream({
        path: RESPONSES,
        json: responsesBody(ctx, PROMPT, { tools: TOOLS, tool_choice: 'required', stream: true }),
      });
      const events = completeEvents(stream, 'a streamed function call');
      const deltas = deltasByItem(events, 'response.function_call_arguments.delta');
      const calls = itemsOfType(terminalResponse(events)!, 'function_call');
      ensure(
        calls.length > 0,
        'the stream has no function_call item',
        'a function_call item',
        events.map((e) => e.type),
      );
      for (const call of calls) {
        const streamed = deltas.get(String(call.id)) ?? '';
        ensure(isJson(streamed), 'the argument deltas are not JSON', 'JSON arguments', streamed);
        ensure(
          streamed === call.arguments,
          'the argument deltas do not add up to the arguments',
          show(call.arguments),
          streamed,
        );
      }
    },
  },
  {
    ...family,
    id: 'responses.tools.round-trip',
    title: 'Sending function_call_output back completes the turn with text',
    level: 'MUST',
    async run(ctx) {
      const calls = callsOf(await withTools(ctx, { tool_choice: 'required' }, 'a tool call'), 'a tool call');
      const input = [
        { role: 'user', content: PROMPT },
        ...calls.map((call) => ({
          type: 'function_call',
          call_id: call.call_id,
          name: call.name,
          arguments: call.arguments,
        })),
        ...calls.map((call) => ({
          type: 'function_call_output',
          call_id: call.call_id,
          output: '{"temperature_c": 18}',
        })),
      ];
      const answer = await ctx.send({ path: RESPONSES, json: responsesBody(ctx, input, { tools: TOOLS }) });
      const response = ensureResponse(answer, 'the function_call_output round trip');
      ensure(
        response.status === 'completed',
        'the turn did not complete',
        'status "completed"',
        response.status,
      );
      ensure(
        outputText(response) !== '',
        'the turn did not answer with text',
        'a message with text',
        response.output,
      );
    },
  },
  {
    ...family,
    id: 'responses.previous-response.recall',
    title:
      'previous_response_id continues turn 1: only a function_call_output is sent, and its marker is answered',
    level: 'MUST',
    async run(ctx) {
      const first = await withTools(ctx, { tool_choice: 'required' }, 'turn 1 (a tool call)');
      const [call] = callsOf(first, 'turn 1 (a tool call)');
      const word = codeWord(ctx);
      // Only the output goes in turn 2: a server that did not keep turn 1 has no call for it to answer.
      const output = {
        type: 'function_call_output',
        call_id: call!.call_id,
        output: `{"forecast": "${word}"}`,
      };
      const answer = await ctx.send({
        path: RESPONSES,
        json: responsesBody(ctx, [output], { tools: TOOLS, previous_response_id: first.id }),
      });
      const reply = outputText(ensureResponse(answer, 'turn 2 (previous_response_id and the tool output)'));
      ensure(
        reply.includes(word),
        'the continued turn did not answer the tool output',
        `a reply containing ${word}`,
        reply,
      );
    },
  },
];

/** Family responses, tools and approvals, in catalogue order. */
export const RESPONSES_TOOL_CHECKS: Check[] = [...TOOL_CHECKS, ...RESPONSES_APPROVAL_CHECKS];
