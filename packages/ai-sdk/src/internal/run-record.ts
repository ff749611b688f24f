import type { LanguageModelV4ToolCall, LanguageModelV4ToolResult } from '@ai-sdk/provider';
import { createJsonResponseHandler, type FetchFunction, getFromApi } from '@ai-sdk/provider-utils';
import { parseApprovalId } from '@threadline/protocol';
import type { ApprovedPause } from '../convert-to-threadline-chat-messages';
import { runRecordSchema } from '../threadline-chat-api';
import { threadlineFailedResponseHandler } from './errors';

const parseResult = (value: unknown): NonNullable<unknown> => {
  if (value === null || value === undefined) return 'no result';
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) ?? value;
  } catch {
    return value;
  }
};

/**
 * The results of approved server tools. The chat wire has no frame for a server tool's result (the
 * reply just continues), so they are read from the paused run's record, `GET /v1/runs/{run_id}`, whose
 * `tool_calls` entry for the approval id holds what the tool returned (or why it failed). A result
 * comes after a repeat of its call when `repeatCalls` is set (generateText pairs a provider-executed
 * result only with a call of the same response) or the prompt lacks the call; streamed, a call the UI
 * already shows is not repeated. A record that cannot be read gives a result saying so rather than
 * failing the turn that did run.
 */
export async function approvedToolResults(options: {
  approved: ApprovedPause[];
  /** generateText pairs a provider result only with a call of the same response: repeat every call. */
  repeatCalls: boolean;
  url: (path: string) => string;
  headers: Record<string, string | undefined>;
  fetch?: FetchFunction;
  abortSignal?: AbortSignal;
}): Promise<(LanguageModelV4ToolCall | LanguageModelV4ToolResult)[]> {
  const byRun = new Map<string, ApprovedPause[]>();
  for (const pause of options.approved) {
    const runId = parseApprovalId(pause.approvalId)?.runId;
    if (runId) byRun.set(runId, [...(byRun.get(runId) ?? []), pause]);
  }
  const results: (LanguageModelV4ToolCall | LanguageModelV4ToolResult)[] = [];
  for (const [runId, pauses] of byRun) {
    let calls: NonNullable<Awaited<ReturnType<typeof readRun>>>['tool_calls'] = [];
    let failure: string | undefined;
    try {
      calls = (await readRun(runId, options))?.tool_calls ?? [];
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    for (const { approvalId: id, toolName, input, inPrompt } of pauses) {
      const call = calls?.find((c) => c.id === id);
      const failed = !call || call.status === 'failed';
      if (!inPrompt || options.repeatCalls) {
        results.push({
          type: 'tool-call',
          toolCallId: id,
          toolName,
          input,
          providerExecuted: true,
          dynamic: true,
        });
      }
      results.push({
        type: 'tool-result',
        toolCallId: id,
        toolName: call?.name ?? toolName,
        result: call
          ? parseResult(call.status === 'failed' ? call.error : call.result)
          : `the run record did not show this call's result${failure ? `: ${failure}` : ''}`,
        ...(failed ? { isError: true } : {}),
        dynamic: true,
      });
    }
  }
  return results;
}

async function readRun(
  runId: string,
  options: {
    url: (path: string) => string;
    headers: Record<string, string | undefined>;
    fetch?: FetchFunction;
    abortSignal?: AbortSignal;
  },
) {
  const { value } = await getFromApi({
    url: options.url(`/runs/${encodeURIComponent(runId)}`),
    headers: options.headers,
    failedResponseHandler: threadlineFailedResponseHandler,
    successfulResponseHandler: createJsonResponseHandler(runRecordSchema),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return value;
}
