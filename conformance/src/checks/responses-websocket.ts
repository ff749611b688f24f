import { ERROR_CODES } from '@threadline/protocol';
import { CheckBlocked, ERROR_GROUND, ensure, ensureGround, show } from '../internal/expect';
import type { SocketMessage } from '../internal/socket';
import type { CheckContext } from '../runner/context';
import { type Check, SECTIONS } from '../runner/types';
import {
  looseResponse,
  outputText,
  PLAIN_INPUT,
  RESPONSES,
  RESPONSES_GROUND,
  RESPONSES_STREAM_GROUND,
} from './responses-support';
import { codeWord } from './support';

const family = {
  family: 'responses',
  capability: 'responses-websocket',
  requires: ['responses'],
  section: SECTIONS.responses,
  after: [...RESPONSES_STREAM_GROUND, 'responses.stream.one-terminal'],
} as const;

const TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const TOOL_PROMPT = 'What is the weather in Paris right now? Use the tool.';

/** Opens the socket, runs `body`, and always closes it. */
async function onSocket<T>(ctx: CheckContext, body: (socket: Turns) => Promise<T>): Promise<T> {
  const socket = await ctx.socket(RESPONSES);
  try {
    return await body({
      run: async (request) => {
        socket.send({ type: 'response.create', model: ctx.model, ...request });
        return socket.turn();
      },
      closed: () => socket.closed,
    });
  } finally {
    socket.close();
  }
}

interface Turns {
  run(request: Record<string, unknown>): Promise<SocketMessage[]>;
  closed(): string | null;
}

const typesOf = (messages: SocketMessage[]) => messages.map((m) => m.type ?? show(m.text));

/**
 * A turn that completed: its events end in response.completed. What breaks a turn's events (a failed
 * or broken-off turn, an event that is not JSON, a second terminal event) is the HTTP stream's too,
 * judged by the checks on the plain streamed turn: when they failed, this check is blocked by them.
 * Returns the final response, with the id `response.created` announced.
 */
function completed(messages: SocketMessage[], what: string) {
  const first = messages[0];
  ensureGround(
    !(typeof first?.type === 'string' && TERMINAL.has(first.type)),
    RESPONSES_GROUND_ONE_TERMINAL,
    `${what}: a terminal event came before the turn began (the previous turn's second one?)`,
    'response.created first',
    typesOf(messages),
  );
  const broken = messages.find((m) => m.type === undefined);
  ensureGround(
    !broken,
    RESPONSES_GROUND.eventSchema,
    `${what}: a message is not JSON`,
    'JSON events',
    broken?.text,
  );
  const last = messages.at(-1);
  ensureGround(
    last?.type === 'response.completed',
    RESPONSES_GROUND.streamCompletes,
    `${what}: the turn did not end with response.completed`,
    'response.completed last',
    typesOf(messages),
  );
  const created = looseResponse(first?.response);
  return { ...looseResponse(last.response), id: created.id };
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const RESPONSES_GROUND_ONE_TERMINAL = 'responses.stream.one-terminal';

/**
 * A refused request's error message: `status`, then `code` and `param` — read leniently; a code or param
 * the message lacks or spoils is blocked by the error-body checks when they failed (the door's errors
 * are the HTTP door's).
 */
function ensureErrorMessage(
  messages: SocketMessage[],
  want: { status: number; code?: string; param?: string },
  what: string,
): void {
  const message = messages.at(-1);
  const expected = `{"type":"error","status":${want.status},"error":{${want.code ? `"code":"${want.code}",` : ''}${want.param ? `"param":"${want.param}"` : ''}…}}`;
  ensure(
    message?.type === 'error' && message.status === want.status,
    `${what}: no error message with status ${want.status}`,
    expected,
    messages.length > 3 ? typesOf(messages) : messages,
  );
  const error = (typeof message.error === 'object' && message.error !== null ? message.error : {}) as {
    code?: unknown;
    param?: unknown;
  };
  if (want.code && error.code !== want.code) {
    const numeric = typeof error.code === 'number' || /^\d+$/.test(String(error.code));
    throw new CheckBlocked(
      numeric ? ERROR_GROUND.codeType : ERROR_GROUND.shape,
      `${what}: wrong code`,
      expected,
      show(message),
    );
  }
  if (want.param && error.param !== want.param) {
    throw new CheckBlocked(ERROR_GROUND.shape, `${what}: wrong param`, expected, show(message));
  }
  ensure(typeof error.code === 'string', `${what}: the error message has no string code`, 'a code', error);
}

/** WebSocket mode (`ws://…/v1/responses`), where the server offers it. */
export const RESPONSES_WEBSOCKET_CHECKS: Check[] = [
  {
    ...family,
    id: 'responses.websocket.sequential-turns',
    title: 'Two response.create messages on one socket run in order, each its own events numbered from 0',
    level: 'MUST',
    async run(ctx) {
      await onSocket(ctx, async (socket) => {
        const ids: unknown[] = [];
        for (const what of ['turn 1', 'turn 2']) {
          const messages = await socket.run({ input: PLAIN_INPUT });
          const response = completed(messages, what);
          const numbers = messages.map((m) => m.sequence_number);
          ensure(
            numbers.every((n, i) => n === i),
            `${what}: the sequence numbers are not 0, 1, 2, …`,
            '0, 1, 2, …',
            numbers,
          );
          ensure(outputText(response) !== '', `${what}: no text`, 'a message with text', response.output);
          ids.push(response.id);
        }
        ensure(ids[0] !== ids[1], 'both turns have the same response id', 'two response ids', ids);
      });
    },
  },
  {
    ...family,
    id: 'responses.websocket.continuation',
    title: 'On the socket, previous_response_id continues turn 1: only a function_call_output is sent',
    level: 'MUST',
    async run(ctx) {
      await onSocket(ctx, async (socket) => {
        const first = completed(
          await socket.run({ input: TOOL_PROMPT, tools: [TOOL], tool_choice: 'required' }),
          'turn 1 (a tool call)',
        );
        const call = first.output.find((item) => item.type === 'function_call');
        ensure(call, 'turn 1 called no tool', 'a function_call item', first.output);
        const word = codeWord(ctx);
        const output = {
          type: 'function_call_output',
          call_id: call.call_id,
          output: `{"forecast": "${word}"}`,
        };
        const second = completed(
          await socket.run({ input: [output], tools: [TOOL], previous_response_id: first.id }),
          'turn 2 (previous_response_id)',
        );
        const reply = outputText(second);
        ensure(reply.includes(word), 'the continued turn did not answer the tool output', word, reply);
      });
    },
  },
  {
    ...family,
    after: [...family.after, ERROR_GROUND.shape, ERROR_GROUND.codeType],
    id: 'responses.websocket.error-message',
    title:
      'A refused response.create is an error message naming status, code and param; the socket stays open',
    level: 'MUST',
    async run(ctx) {
      await onSocket(ctx, async (socket) => {
        const refused = await socket.run({ input: PLAIN_INPUT, temperature: 5 });
        ensureErrorMessage(refused, { status: 400, param: 'temperature' }, 'temperature 5');
        const unknown = await socket.run({ input: PLAIN_INPUT, previous_response_id: 'resp_never_issued' });
        ensureErrorMessage(
          unknown,
          { status: 404, code: ERROR_CODES.previousResponseNotFound },
          'an unknown previous_response_id',
        );
        completed(await socket.run({ input: PLAIN_INPUT }), 'a turn after the errors');
        ensure(!socket.closed(), 'the socket closed', 'an open socket', socket.closed());
      });
    },
  },
];
