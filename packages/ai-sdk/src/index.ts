export { approvalMessage, approve, reject } from './approvals';
export type { ThreadlineScope } from './internal/config';
export type { StreamErrorData as ThreadlineStreamErrorData } from './internal/errors';
export { type ThreadlineProviderOptions, threadlineProviderOptions } from './internal/options';
export { ThreadlineChatLanguageModel } from './threadline-chat-language-model';
export {
  createThreadline,
  type ThreadlineProvider,
  type ThreadlineProviderSettings,
  threadline,
} from './threadline-provider';
export { ThreadlineResponsesLanguageModel } from './threadline-responses-language-model';
export { VERSION } from './version';
