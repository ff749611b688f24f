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
  FunctionCallItem,
  FunctionCallOutputInput,
  Health,
  ImageUrlPart,
  IngestResponse,
  InputItem,
  McpApprovalRequestItem,
  McpApprovalResponseInput,
  McpCallItem,
  Model,
  ModelList,
  OutputItem,
  ProgressEvent,
  ResponseErrorEvent,
  ResponseLifecycleEvent,
  ResponseResource,
  ResponsesRequest,
  ResponsesStreamEvent,
  ResponsesStreamEventType,
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
export {
  type ResponseObject,
  type ResponseObject as Response,
  ResponseStream,
  responseStreamFromResponse,
} from './core/response-stream';
export { ChatCompletionStream, type StreamFromResponseOptions, streamFromResponse } from './core/stream';
export {
  type FunctionResults,
  functionCallOutputs,
  functionCalls,
  type ParsedFunctionCall,
} from './function-calls';
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
  type Decision,
  type Pause,
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
export type {
  ResponseCreateParams,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  Responses,
} from './resources/responses';
export type { ResponseResumeParams, ResumableResponses } from './resources/responses-resume';
export type { ResponseSocketCreateParams, ResponsesSocket } from './resources/responses-socket';
export type { Runs } from './resources/runs';
export { ThreadlineResponses } from './responses-client';
export { Threadline } from './threadline';
