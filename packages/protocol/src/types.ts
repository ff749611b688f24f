export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  FinishReason,
  StopReason,
  ToolCallDelta,
} from './schemas/chat';
export type {
  AssistantMessage,
  ChatMessage,
  DeveloperMessage,
  FilePart,
  ImageUrlPart,
  InputAudioPart,
  MessageRole,
  SystemMessage,
  TextPart,
  ToolCall,
  ToolMessage,
  UserContentPart,
  UserMessage,
} from './schemas/messages';
export type { ProgressEvent } from './schemas/progress';
export type {
  FileObject,
  Health,
  IngestQuery,
  IngestResponse,
  Model,
  ModelList,
  RunRecord,
  RunStatus,
  RunToolCall,
} from './schemas/resources';
export type { FunctionTool, NamedToolChoice, ToolChoice } from './schemas/tools';
export type { CompletionTokensDetails, Usage } from './schemas/usage';
