import {
  type LanguageModelV4,
  type LanguageModelV4GenerateResult,
  type LanguageModelV4StreamResult,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import type { ThreadlineModelConfig } from './internal/config';

export class ThreadlineChatLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly supportedUrls = {};
  constructor(
    readonly modelId: string,
    private readonly config: ThreadlineModelConfig,
  ) {}
  get provider() {
    return this.config.provider;
  }
  doGenerate(): PromiseLike<LanguageModelV4GenerateResult> {
    throw new UnsupportedFunctionalityError({ functionality: 'chat door (in progress)' });
  }
  doStream(): PromiseLike<LanguageModelV4StreamResult> {
    throw new UnsupportedFunctionalityError({ functionality: 'chat door (in progress)' });
  }
}
