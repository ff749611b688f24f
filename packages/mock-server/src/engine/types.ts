import type { FinishReason, RunToolCall, StopReason, Usage } from '@threadline/protocol';
import type {
  ChatMessage,
  FunctionTool,
  MessageRole,
  ToolCall,
  ToolChoice,
} from '@threadline/protocol/schemas';
import type { Identity } from '../auth/identity';
import type { FaultSet } from '../faults/parse';
import type { TokenLogprob } from '../model/logprobs';

/** An image, file or audio part of a message, after its inline bytes were stored. */
export interface Attachment {
  kind: 'image' | 'file' | 'audio';
  /** The stored file, when the bytes came inline or by `file_id`. */
  fileId: string | null;
  /** The URL of an image passed by reference. */
  url: string | null;
  filename: string | null;
  mimeType: string | null;
  bytes: number | null;
}

/** A request message reduced to what the model reads. */
export interface ConversationMessage {
  role: MessageRole;
  /** The text content (text parts joined with a newline); '' when none. */
  text: string;
  attachments: Attachment[];
  /** Assistant messages: the tool calls it made. */
  toolCalls: ToolCall[];
  /** Tool messages: the call they answer. */
  toolCallId: string | null;
  name: string | null;
}

/** A tool result the conversation ends with. */
export interface ToolResult {
  toolCallId: string;
  /** The tool's name, from the assistant call it answers (or the tool message's `name`). */
  name: string;
  content: string;
}

export interface DecidedToolCall {
  id?: string;
  name: string;
  /** An object is JSON-encoded; a string is sent as is. */
  arguments: string | Record<string, unknown>;
}

export interface ScriptedError {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Streams: send this many text chunks before the error frame. Absent: fail before the stream. */
  afterChunks?: number;
}

/** What the model chose for a turn, before truncation and token counting. */
export interface Decision {
  text?: string;
  toolCalls?: DecidedToolCall[];
  error?: ScriptedError;
  /** A server-side tool call (fixtures); a `transform` hook must turn it into text or a pause. */
  serverTool?: { name: string; arguments: Record<string, unknown> };
  /** Overrides the finish/stop reason a decision would get (hooks: approval pauses, rejections). */
  finishReason?: FinishReason;
  stopReason?: StopReason;
  /** The tool calls to record on the run (server tools run, approval pauses); default: the client calls. */
  runToolCalls?: RunToolCall[];
  /** Where the decision came from: `fixture:<id>`, `model`, or a hook's name. */
  source: string;
}

export interface ReplyToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The final answer of a turn: what JSON and SSE both render. */
export interface Reply {
  /** The assistant text; null when the turn only calls tools. */
  text: string | null;
  /** `text` cut into stream pieces; their concatenation is `text`. */
  pieces: readonly string[];
  toolCalls: ReplyToolCall[];
  finishReason: FinishReason;
  stopReason: StopReason;
  usage: Usage;
  /** A scripted failure (after `error.afterChunks` chunks when streaming). */
  error: ScriptedError | null;
  runToolCalls: RunToolCall[] | null;
  source: string;
  /**
   * Asked for with `logprobs: true`: one entry per piece (up to MAX_LOGPROB_TOKENS), or `content: null`
   * when the turn has no text; null when not asked for.
   */
  logprobs: { content: TokenLogprob[] | null } | null;
}

/** The API surface a turn came through: both build the same turn. */
export type TurnDoor = 'chat' | 'responses';

/**
 * What a door hands the engine: a turn in no door's wire shape. Each door translates its own request
 * into it (docs/protocol.md, Responses: one engine, two doors).
 */
export interface TurnRequest {
  door: TurnDoor;
  /** '' : the agent's or the server's default model. */
  model: string;
  stream: boolean;
  /**
   * The conversation, in the engine's message form (the protocol's message shape: roles, text and
   * image/file/audio parts, tool calls and results); inline bytes are stored as files when the turn starts.
   */
  messages: readonly ChatMessage[];
  /** The caller's client tools ([] when none). */
  tools: FunctionTool[];
  /** null: `auto`. */
  toolChoice: ToolChoice | null;
  parallelToolCalls: boolean;
  /** Stop sequences ([] when none). */
  stop: string[];
  /** The completion token limit; null when none. */
  maxTokens: number | null;
  /** How to shape the text: plain, a JSON object, or a value fitting a JSON schema. */
  responseFormat:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; schema: unknown }
    | null;
  /** Token log probabilities, with this many alternatives each; null when not asked for. */
  topLogprobs: number | null;
}

/** One chat turn as it moves through the engine. Hooks read and extend it. */
export interface Turn {
  readonly runId: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  /** The front door the turn came through (fixtures may target one). */
  readonly door: TurnDoor;
  readonly request: TurnRequest;
  readonly identity: Identity;
  readonly faults: FaultSet;
  readonly stream: boolean;
  /** Request headers by lower-case name (memory headers, progress header…). */
  header(name: string): string | null;
  /** The agent's (or server's) base instructions with the request's system/developer messages appended. */
  instructions: string;
  messages: ConversationMessage[];
  /** Files stored from (or referenced by) this turn's content parts. */
  fileIds: string[];
  /** Context supplied before the model runs (memory, documents), best match first. */
  retrieved: string[];
  /** The client tools of the request ([] when none). */
  tools: FunctionTool[];
  /** Free slots for hooks (memory, approvals) to pass state between their steps. */
  extensions: Record<string, unknown>;
}
