import type { LanguageModelV4CallOptions, SharedV4Warning } from '@ai-sdk/provider';
import { HEADERS } from '@threadline/protocol';
import { convertToResponsesInput } from '../convert-to-responses-input';
import type { ResponsesRequestBody } from '../threadline-responses-api';
import type { ThreadlineModelConfig } from './config';
import { type CallKey, givenKey } from './idempotency';
import { readThreadlineOptions } from './options';
import { scopeHeaders } from './scope-headers';

export interface ResponsesArgs {
  body: ResponsesRequestBody;
  /** Scope, per-call and Idempotency-Key headers (the provider's own headers are added by the model). */
  headers: Record<string, string>;
  warnings: SharedV4Warning[];
  /** The call's Idempotency-Key; mark it finished once the turn is answered. */
  call: CallKey;
}

const unsupported = (feature: string, details?: string): SharedV4Warning =>
  details ? { type: 'unsupported', feature, details } : { type: 'unsupported', feature };

/**
 * The request a call makes on the Responses door: the body (settings the door cannot honour become
 * `unsupported` warnings, never silent drops), the scope headers and the Idempotency-Key, which is the
 * same on every re-send of the call so a retried stateful turn is stored once.
 */
export async function responsesArgs(
  modelId: string,
  config: ThreadlineModelConfig,
  options: LanguageModelV4CallOptions,
  stream: boolean,
): Promise<ResponsesArgs> {
  const threadline = await readThreadlineOptions(options.providerOptions);
  const scoped = scopeHeaders(config, threadline, options.headers);
  const warnings: SharedV4Warning[] = [...scoped.warnings];
  const threadHeader = config.dialect.memory.threadHeader;
  const onThread = threadHeader !== null && scoped.headers[threadHeader] !== undefined;
  const chained = threadline.previousResponseId !== undefined;
  // A thread or a previous response holds the conversation: only the new turn travels.
  const converted = convertToResponsesInput({ prompt: options.prompt, newTurnOnly: onThread || chained });
  warnings.push(...converted.warnings);

  if (options.topK != null) warnings.push(unsupported('topK'));
  if (options.seed != null) warnings.push(unsupported('seed'));
  if (options.stopSequences?.length)
    warnings.push(unsupported('stopSequences', 'the Responses API has no stop sequences'));
  if (options.reasoning != null && options.reasoning !== 'provider-default')
    warnings.push(unsupported('reasoning'));

  const body: ResponsesRequestBody = { model: modelId, input: converted.input };
  // The newest response the prompt came from continues the chain (a tool loop's later steps), else the option.
  if (chained) body.previous_response_id = converted.lastResponseId ?? threadline.previousResponseId;
  if (stream) body.stream = true;
  if (options.maxOutputTokens != null) body.max_output_tokens = options.maxOutputTokens;
  if (options.temperature != null) body.temperature = options.temperature;
  if (options.topP != null) body.top_p = options.topP;
  if (options.presencePenalty != null) body.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty != null) body.frequency_penalty = options.frequencyPenalty;
  if (scoped.scope.user !== undefined) body.user = scoped.scope.user;

  const format = options.responseFormat;
  if (format?.type === 'json') {
    body.text = {
      format:
        format.schema != null
          ? {
              type: 'json_schema',
              name: format.name ?? 'response',
              ...(format.description ? { description: format.description } : {}),
              schema: format.schema,
            }
          : { type: 'json_object' },
    };
  }

  const tools: NonNullable<ResponsesRequestBody['tools']> = [];
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') {
      warnings.push(
        unsupported(`provider tool ${tool.name}`, 'this server declares its own tools; it was not sent'),
      );
      continue;
    }
    tools.push({
      type: 'function',
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.inputSchema,
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    });
  }
  if (tools.length > 0) {
    body.tools = tools;
    const choice = options.toolChoice;
    if (choice)
      body.tool_choice = choice.type === 'tool' ? { type: 'function', name: choice.toolName } : choice.type;
  } else if (options.toolChoice && options.toolChoice.type !== 'auto') {
    warnings.push(unsupported('toolChoice', 'no function tools were sent, so there is nothing to choose'));
  }

  const headers = { ...scoped.headers };
  const call = threadline.idempotencyKey
    ? givenKey(threadline.idempotencyKey)
    : await config.idempotency.forCall(scoped.headers, body);
  headers[HEADERS.idempotencyKey] = call.key;
  return { body, headers, warnings, call };
}
