import type {
  ChatCompletion,
  ChatCompletionChunk,
  FinishReason,
  StopReason,
  ToolCall,
  Usage,
} from '@threadline/protocol';

/** A tool call of an assembled stream: arguments joined, and parsed when they are valid JSON. */
export interface FinalToolCall extends ToolCall {
  function: ToolCall['function'] & {
    /** `JSON.parse(arguments)`, or `undefined` when the arguments are not valid JSON (then read `arguments`). */
    parsed_arguments: unknown;
  };
}

export interface FinalChoice {
  index: number;
  message: {
    role: 'assistant';
    content: string | null;
    refusal: string | null;
    tool_calls?: FinalToolCall[];
  };
  logprobs: null;
  /** `null` only when the server never sent one (a protocol violation, kept visible rather than guessed). */
  finish_reason: FinishReason | null;
}

/** What a whole stream adds up to, shaped like a non-streamed completion. */
export interface FinalCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: FinalChoice[];
  usage?: Usage;
  stop_reason?: StopReason;
}

interface ChoiceState {
  content: string | null;
  refusal: string | null;
  finish: FinishReason | null;
  tools: { id: string; name: string; args: string }[];
}

/** Folds chunks into a completion as they pass. */
export class Assembler {
  #head: ChatCompletionChunk | undefined;
  readonly #choices: ChoiceState[] = [];
  #usage: Usage | undefined;
  #stop: StopReason | undefined;

  add(chunk: ChatCompletionChunk): void {
    this.#head ??= chunk;
    if (chunk.usage) this.#usage = chunk.usage;
    if (chunk.stop_reason) this.#stop = chunk.stop_reason;
    for (const choice of chunk.choices) {
      let state = this.#choices[choice.index];
      if (!state) {
        state = { content: null, refusal: null, finish: null, tools: [] };
        this.#choices[choice.index] = state;
      }
      const delta = choice.delta;
      if (delta.content != null) state.content = (state.content ?? '') + delta.content;
      if (delta.refusal != null) state.refusal = (state.refusal ?? '') + delta.refusal;
      if (choice.finish_reason) state.finish = choice.finish_reason;
      if (delta.tool_calls) {
        for (const call of delta.tool_calls) {
          let tool = state.tools[call.index];
          if (!tool) {
            tool = { id: '', name: '', args: '' };
            state.tools[call.index] = tool;
          }
          if (call.id) tool.id = call.id;
          if (call.function?.name) tool.name += call.function.name;
          if (call.function?.arguments) tool.args += call.function.arguments;
        }
      }
    }
  }

  result(): FinalCompletion {
    const head = this.#head;
    const completion: FinalCompletion = {
      id: head?.id ?? '',
      object: 'chat.completion',
      created: head?.created ?? 0,
      model: head?.model ?? '',
      choices: [],
    };
    if (head?.system_fingerprint !== undefined) completion.system_fingerprint = head.system_fingerprint;
    this.#choices.forEach((state, index) => {
      const message: FinalChoice['message'] = {
        role: 'assistant',
        content: state.content,
        refusal: state.refusal,
      };
      const tools = state.tools.filter(Boolean);
      if (tools.length > 0) {
        message.tool_calls = tools.map((tool) => ({
          id: tool.id,
          type: 'function',
          function: { name: tool.name, arguments: tool.args, parsed_arguments: parseJSON(tool.args) },
        }));
      }
      completion.choices.push({ index, message, logprobs: null, finish_reason: state.finish });
    });
    if (this.#usage) completion.usage = this.#usage;
    if (this.#stop) completion.stop_reason = this.#stop;
    return completion;
  }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text === '' ? '{}' : text);
  } catch {
    return undefined;
  }
}

export type AnyCompletion = ChatCompletion | FinalCompletion;
