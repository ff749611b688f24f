import { type LanguageModelV4, NoSuchModelError, type ProviderV4 } from '@ai-sdk/provider';
import {
  type FetchFunction,
  loadOptionalSetting,
  loadSetting,
  withoutTrailingSlash,
  withUserAgentSuffix,
} from '@ai-sdk/provider-utils';
import { type DialectName, getDialect } from '@threadline/protocol';
import type { ThreadlineModelConfig, ThreadlineScope } from './internal/config';
import { IdempotencyKeys } from './internal/idempotency';
import { ThreadlineChatLanguageModel } from './threadline-chat-language-model';
import { ThreadlineResponsesLanguageModel } from './threadline-responses-language-model';
import { VERSION } from './version';

export interface ThreadlineProviderSettings extends ThreadlineScope {
  /** Server root, e.g. `http://localhost:8787` (a trailing `/v1` is accepted). Default: `THREADLINE_BASE_URL`. */
  baseURL?: string;
  /** Sent as `Authorization: Bearer <key>`. Default: `THREADLINE_API_KEY`; none is sent when neither is set. */
  apiKey?: string;
  /** Which server family's header names to speak. Default `threadline` (honours every header). */
  dialect?: DialectName;
  /** Extra headers on every request. */
  headers?: Record<string, string | undefined>;
  /** A fetch to use instead of the global one (tests, proxies, edge runtimes). */
  fetch?: FetchFunction;
  /** Provider name in `model.provider` (`<name>.chat`, `<name>.responses`). Default `threadline`. */
  name?: string;
}

export interface ThreadlineProvider extends ProviderV4 {
  /** The chat model (Chat Completions door). `""` is the agent's configured model. */
  (modelId?: string): LanguageModelV4;
  languageModel(modelId: string): LanguageModelV4;
  chat(modelId?: string): LanguageModelV4;
  responses(modelId?: string): LanguageModelV4;
}

/** Drops a trailing `/v1` so `http://host/v1` and `http://host` mean the same server. */
const serverRoot = (url: string) => (withoutTrailingSlash(url) ?? url).replace(/\/v1$/, '');

/** A Vercel AI SDK provider for a Threadline-family server. */
export function createThreadline(settings: ThreadlineProviderSettings = {}): ThreadlineProvider {
  const dialect = getDialect(settings.dialect ?? 'threadline');
  const name = settings.name ?? 'threadline';
  const defaults: ThreadlineScope = {};
  for (const key of ['sessionId', 'userId', 'threadId', 'agentId', 'user', 'apiVersion'] as const) {
    if (settings[key] !== undefined) defaults[key] = settings[key];
  }
  // Read when a request is made, not when the provider is made, so the default instance can be
  // imported before the environment is set up (and in runtimes without process.env).
  const baseURL = () =>
    serverRoot(
      loadSetting({
        settingValue: settings.baseURL,
        environmentVariableName: 'THREADLINE_BASE_URL',
        settingName: 'baseURL',
        description: 'Threadline server',
      }),
    );
  const headers = () => {
    const apiKey = loadOptionalSetting({
      settingValue: settings.apiKey,
      environmentVariableName: 'THREADLINE_API_KEY',
    });
    return withUserAgentSuffix(
      { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...settings.headers },
      `ai-sdk/threadline/${VERSION}`,
    );
  };
  const idempotency = new IdempotencyKeys();
  const config = (door: 'chat' | 'responses'): ThreadlineModelConfig => ({
    provider: `${name}.${door}`,
    url: (path) => `${baseURL()}/v1${path}`,
    headers,
    dialect,
    defaults,
    idempotency,
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
  const chat = (modelId = '') => new ThreadlineChatLanguageModel(modelId, config('chat'));
  const responses = (modelId = '') => new ThreadlineResponsesLanguageModel(modelId, config('responses'));
  const noSuchModel = (modelType: 'embeddingModel' | 'imageModel') => (modelId: string) => {
    throw new NoSuchModelError({ modelId, modelType, message: `Threadline serves no ${modelType}s` });
  };
  const provider = Object.assign((modelId?: string) => chat(modelId), {
    specificationVersion: 'v4',
    languageModel: chat,
    chat,
    responses,
    embeddingModel: noSuchModel('embeddingModel'),
    imageModel: noSuchModel('imageModel'),
  }) as ThreadlineProvider;
  return provider;
}

/** The default provider: `THREADLINE_BASE_URL` and `THREADLINE_API_KEY`, read at call time. */
export const threadline = createThreadline();
