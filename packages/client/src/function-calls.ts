import type { FunctionCallItem, FunctionCallOutputInput, ResponseResource } from '@threadline/protocol';
import { ThreadlineError } from './core/errors';

/** A `function_call` item of a response with its arguments parsed (`undefined` when not valid JSON). */
export type ParsedFunctionCall = FunctionCallItem & { parsed_arguments: unknown };

/** The client-tool calls a response asks for, in output order. */
export function functionCalls(response: ResponseResource): ParsedFunctionCall[] {
  const calls: ParsedFunctionCall[] = [];
  for (const item of response.output) {
    if (item.type !== 'function_call') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(item.arguments === '' ? '{}' : item.arguments);
    } catch {
      parsed = undefined;
    }
    calls.push({ ...item, parsed_arguments: parsed });
  }
  return calls;
}

/** Your results: by `call_id`, or a function of the call. A non-string result is sent as JSON. */
export type FunctionResults = Record<string, unknown> | ((call: ParsedFunctionCall) => unknown);

/**
 * The next request's input for a response's function calls: one `function_call_output` per call, in
 * order. Send it with `previous_response_id: response.id`. A call without a result throws before
 * anything is sent (the server would refuse a turn that leaves a call unanswered).
 */
export function functionCallOutputs(
  response: ResponseResource,
  results: FunctionResults,
): FunctionCallOutputInput[] {
  return functionCalls(response).map((call) => {
    const result =
      typeof results === 'function'
        ? results(call)
        : Object.hasOwn(results, call.call_id)
          ? results[call.call_id]
          : undefined;
    if (result === undefined) {
      throw new ThreadlineError(`no result for function call ${call.call_id} (${call.name})`);
    }
    return {
      type: 'function_call_output',
      call_id: call.call_id,
      output: typeof result === 'string' ? result : JSON.stringify(result),
    };
  });
}
