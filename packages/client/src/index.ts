export type {
  ApprovalDecision,
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  DialectName,
  FileObject,
  FilePart,
  FinishReason,
  Health,
  ImageUrlPart,
  IngestResponse,
  Model,
  ModelList,
  ProgressEvent,
  RunRecord,
  RunStatus,
  StopReason,
  TextPart,
  ToolCall,
  ToolMessage,
  Usage,
  UserContentPart,
} from '@threadline/protocol';
export { ThreadlineChat } from './client';
export type { FinalChoice, FinalCompletion, FinalToolCall } from './core/assemble';
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  IncompleteStreamError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  PayloadTooLargeError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  RequestTooLargeError,
  StreamIdleTimeoutError,
  ThreadlineError,
  UnprocessableEntityError,
} from './core/errors';
export type { Logger, LogLevel } from './core/logger';
export type { ApiKeySource, ClientOptions, HeadersInit, RequestOptions } from './core/options';
export { isAgentScopedToken } from './core/request';
export { ChatCompletionStream, type StreamFromResponseOptions, streamFromResponse } from './core/stream';
export {
  type BinarySource,
  type FilePartOptions,
  filePart,
  type ImagePartOptions,
  imagePart,
  textPart,
} from './parts';
export {
  type Approvals,
  approve,
  type PendingApproval,
  pendingApprovals,
  ResumableChatCompletions,
  type ResumeParams,
  reject,
} from './resources/approvals';
export type {
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletions,
} from './resources/chat';
export type { FileContent, Files } from './resources/files';
export type { IngestFile, IngestParams, UploadProgress } from './resources/ingest';
export type { Models } from './resources/models';
export type { Runs } from './resources/runs';
export { Threadline } from './threadline';
